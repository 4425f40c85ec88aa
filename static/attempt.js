// The paper: a countdown from the server's remaining seconds, answers saved as they are chosen,
// kept in localStorage while offline and sent when the connection returns. The server decides
// time and score; this script only keeps the contestant informed and their answers safe.
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) return;
  var saveUrl = form.dataset.saveUrl;
  var resultUrl = form.dataset.resultUrl;
  var storeKey = "attempt-" + form.dataset.attempt + "-pending";
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var statusEl = document.getElementById("save-status");
  var timerEl = document.getElementById("timer");
  var announceEl = document.getElementById("timer-announce");
  // performance.now() is monotonic: a changed or skewed device clock cannot move the deadline.
  var deadline = performance.now() + parseFloat(form.dataset.remaining) * 1000;
  var pending = loadPending();
  // Saves are numbered: the server ignores one numbered at or below what it holds (stale, replayed).
  var revision = Math.max(parseInt(form.dataset.revision, 10) || 0, loadRevision());
  var sending = false;
  var inFlight = null;  // the AbortController of the save being sent
  var SAVE_TIMEOUT_MS = 8000;  // a save that hangs on a weak link is abandoned and sent again
  var submitting = false;
  var announced = {};

  function loadPending() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function storePending() {
    try {
      localStorage.setItem(storeKey, JSON.stringify(pending));
      localStorage.setItem(storeKey + "-revision", String(revision));
    } catch (e) { /* private mode */ }
  }
  function loadRevision() {
    try { return parseInt(localStorage.getItem(storeKey + "-revision"), 10) || 0; } catch (e) { return 0; }
  }
  function setStatus(text, offline) {
    statusEl.textContent = text;
    statusEl.classList.toggle("offline", !!offline);
  }
  function selectedOf(position) {
    var inputs = form.querySelectorAll("input[name=q" + position + "]");
    var values = [];
    inputs.forEach(function (input) { if (input.checked) values.push(parseInt(input.value, 10)); });
    return values;
  }
  function applyPending() {
    Object.keys(pending).forEach(function (position) {
      if (position === "prediction") { document.getElementById("prediction").value = pending.prediction.value; return; }
      var chosen = pending[position].selected;
      form.querySelectorAll("input[name=q" + position + "]").forEach(function (input) {
        input.checked = chosen.indexOf(parseInt(input.value, 10)) !== -1;
      });
    });
  }
  function resync(seconds) {
    if (typeof seconds === "number") deadline = performance.now() + seconds * 1000;
  }
  function flush() {
    if (sending || submitting) return;
    var positions = Object.keys(pending);
    if (!positions.length) return;
    var position = positions[0];
    var entry = pending[position];
    var body = position === "prediction" ? { prediction: entry.value }
      : { position: parseInt(position, 10), selected: entry.selected, revision: entry.revision };
    sending = true;
    var controller = new AbortController();
    inFlight = controller;
    var timer = window.setTimeout(function () {
      // Abandon it here rather than in its rejection: a request caught in the network's coming back
      // may never settle, even aborted, and would hold every later save behind it.
      if (inFlight === controller) {
        inFlight = null;
        sending = false;
        setStatus("Mạng chậm — đang gửi lại câu trả lời…", true);
        window.setTimeout(flush, 1000);
      }
      controller.abort();
    }, SAVE_TIMEOUT_MS);
    fetch(saveUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
      signal: controller.signal
    }).then(function (response) {
      // The timer stays armed until the body is read: on a weak link the headers can arrive and the
      // body stall, and that save must be abandoned and sent again like any other.
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (reply) {
      window.clearTimeout(timer);
      if (inFlight !== controller) return;  // abandoned meanwhile: its retry reports instead
      sending = false;
      inFlight = null;
      if (reply.status === 200) {
        // Only forget the answer if it was not changed again while this save was in flight.
        if (pending[position] === entry) delete pending[position];
        storePending();
        resync(reply.body.remaining_seconds);
        setStatus(position === "prediction" ? "Đã lưu câu dự đoán." : "Đã lưu câu " + (parseInt(position, 10) + 1) + ".");
        flush();
      } else if (reply.status === 401) {
        // Logged out (the session ended): keep the answer; the 5 s backstop resends it after log-in.
        setStatus(reply.body.error, true);
      } else if (reply.status === 409) {
        delete pending[position];
        storePending();
        setStatus(reply.body.error, true);
        if (reply.body.submitted) window.location.href = resultUrl;
      } else {
        delete pending[position];
        storePending();
        setStatus(reply.body.error || "Không lưu được câu trả lời.", true);
      }
    }).catch(function () {
      window.clearTimeout(timer);
      if (inFlight !== controller) return;  // superseded by a retry already under way
      sending = false;
      inFlight = null;
      setStatus("Mất kết nối — câu trả lời sẽ được lưu khi có mạng", true);
      window.setTimeout(flush, 1000);  // try again soon; the 5 s interval is only a backstop
    });
  }
  function formatRemaining(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(total / 60);
    var seconds = total % 60;
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }
  function announce(ms) {
    // Screen readers hear the time only at thresholds, not every second.
    [[300, "Còn 5 phút."], [60, "Còn 1 phút."], [30, "Còn 30 giây."]].forEach(function (mark) {
      if (ms <= mark[0] * 1000 && ms > (mark[0] - 5) * 1000 && !announced[mark[0]]) {
        announced[mark[0]] = true;
        announceEl.textContent = mark[1];
      }
    });
  }
  function tick() {
    var left = deadline - performance.now();
    timerEl.textContent = formatRemaining(left);
    timerEl.classList.toggle("low", left <= 60000);
    announce(left);
    if (left <= 0) {
      if (!submitting) {
        setStatus("Hết giờ — đang nộp bài…");
        submit();
      }
      return;
    }
    window.setTimeout(tick, 250);
  }
  function submit() {
    if (submitting) return;
    if (!navigator.onLine) {
      setStatus("Mất kết nối — bài sẽ được nộp khi có mạng", true);
      window.addEventListener("online", submit, { once: true });
      return;
    }
    submitting = true;
    try { localStorage.removeItem(storeKey); localStorage.removeItem(storeKey + "-revision"); } catch (e) { /* ignore */ }
    HTMLFormElement.prototype.submit.call(form);
  }

  form.addEventListener("change", function (event) {
    if (event.target.id === "prediction") {
      pending.prediction = { value: event.target.value };
      storePending();
      setStatus("Đang lưu…");
      flush();
      return;
    }
    var fieldset = event.target.closest("fieldset[data-position]");
    if (!fieldset) return;
    var position = fieldset.dataset.position;
    revision += 1;
    pending[position] = { selected: selectedOf(position), revision: revision };
    storePending();
    setStatus("Đang lưu…");
    flush();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  window.addEventListener("online", function () {
    setStatus("Đã có mạng trở lại, đang lưu…");
    // A request begun while the link was down may never answer: drop it and send afresh.
    if (inFlight) { var stale = inFlight; inFlight = null; sending = false; stale.abort(); }
    flush();
  });
  window.setInterval(flush, 5000);

  applyPending();
  timerEl.hidden = false;
  tick();
  flush();
})();
