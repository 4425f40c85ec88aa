/* The link every live page keeps with the server: a Server-Sent Events stream of the event's state that
   reopens at once when the network returns (and is checked by a watchdog), polling state.json every second
   where the stream cannot open; the server's clock for countdowns; JSON posts with the CSRF token. */
(function () {
  "use strict";

  var STALE_MS = 25000;  // the server sends its clock every 10 s: silence this long means a dead link
  var POLL_MS = 1000;

  function connect(options) {
    var source = null, pollTimer = null, lastSeen = 0, offset = 0, version = -1, usePolling = false;

    function seen() { lastSeen = Date.now(); }
    function status(kind) { if (options.onStatus) { options.onStatus(kind); } }
    function deliverState(state) {
      seen();
      version = state.v;
      options.onState(state);
    }

    function open() {
      if (usePolling) { return; }
      if (source) { source.close(); }
      source = new EventSource(options.stream);
      source.addEventListener("open", function () { seen(); status("online"); if (options.onOpen) { options.onOpen(); } });
      source.addEventListener("state", function (event) { deliverState(JSON.parse(event.data)); });
      source.addEventListener("clock", function (event) {
        seen();
        offset = JSON.parse(event.data).server_ms - Date.now();
      });
      source.addEventListener("tally", function (event) {
        seen();
        if (options.onTally) { options.onTally(JSON.parse(event.data)); }
      });
      source.addEventListener("error", function () {
        status("offline");
        if (source.readyState === EventSource.CLOSED) {  // refused (e.g. 503): poll instead
          source = null;
          usePolling = true;
          poll();
        }
      });
    }

    function poll() {
      clearTimeout(pollTimer);
      fetch(options.state, { cache: "no-store", credentials: "same-origin" })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (state) {
          offset = state.server_ms - Date.now();
          status("online");
          if (state.v !== version || state.phase === "open") {
            if (options.onOpen && lastSeen === 0) { options.onOpen(); }
            deliverState(state);
          } else {
            seen();
          }
        })
        .catch(function () { status("offline"); })
        .then(function () { pollTimer = setTimeout(poll, POLL_MS); });
    }

    window.addEventListener("online", function () { if (usePolling) { poll(); } else { open(); } });
    window.addEventListener("offline", function () {
      // The device says its network is gone: the stream is dead even if no error has surfaced yet.
      status("offline");
      if (source) { source.close(); source = null; }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && Date.now() - lastSeen > 2000) { usePolling ? poll() : open(); }
    });
    setInterval(function () {
      if (!usePolling && lastSeen && Date.now() - lastSeen > STALE_MS) { status("offline"); open(); }
    }, 5000);
    open();
    return {
      now: function () { return Date.now() + offset; },
      reopen: function () { usePolling ? poll() : open(); }
    };
  }

  function post(url, token, body) {
    /* A JSON post; resolves {status, data} (data may be null), rejects only when the network failed. */
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return null; })
        .then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function remainingMs(question, phase, link) {
    /* Milliseconds left on the question by the server's clock (a paused question shows what it kept). */
    if (!question) { return null; }
    if (phase === "open" && question.locks_at_ms) { return Math.max(0, question.locks_at_ms - link.now()); }
    if (question.remaining_ms !== null && question.remaining_ms !== undefined) { return question.remaining_ms; }
    return null;
  }

  function seconds(ms) { return ms === null ? "" : String(Math.ceil(ms / 1000)); }

  function letter(index) { return "ABCDEF".charAt(index) || String(index + 1); }

  function text(element, value) { if (element.textContent !== value) { element.textContent = value; } }

  function teamName(state, id) { return (state.names && state.names[id]) || ""; }

  var PHASES = { waiting: "Chờ bắt đầu", lobby: "Sẵn sàng", staking: "Đặt ngôi sao", open: "Đang trả lời",
                 paused: "Tạm dừng", locked: "Hết giờ", revealed: "Đáp án", scoreboard: "Bảng điểm",
                 finished: "Kết thúc" };
  var STATUS = { online: "Đã kết nối.", offline: "Mất kết nối — đang kết nối lại…" };

  window.LiveLink = { connect: connect, post: post, remainingMs: remainingMs, seconds: seconds, letter: letter,
                      text: text, teamName: teamName, PHASES: PHASES, STATUS: STATUS };
}());
