// The paper: a countdown from the server's remaining seconds, answers saved as they are chosen,
// kept in localStorage while the link is down and sent when it returns. The server decides time and
// score; this script keeps the contestant informed and their answers safe.
//
// One loop owns the queue of unsaved answers, the requests in flight and the clock
// (performance.now). Request promises only report what came back; every decision (abandon a request
// that hangs, resend, back off, what the status line says) is taken by the loop from the state, so
// no promise that never settles and no event arriving out of order can strand the page.
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) return;

  var LOOP_MS = 250;            // the loop's period: countdown, timeouts and sends
  var SAVE_TIMEOUT_MS = 8000;   // a save unanswered for this long is abandoned and sent again…
  var SAVE_TIMEOUT_MAX_MS = 30000;  // …with a longer wait each time in a row (a link slower than 8 s)
  var SLOW_AFTER_MS = 4000;     // a save in flight this long makes the status say the link is slow
  var RETRY_MS = 1000;          // first wait after a failure, doubled up to RETRY_MAX_MS, with jitter
  var RETRY_MAX_MS = 10000;
  var SESSION_RETRY_MS = 5000;  // logged out elsewhere: try again until the contestant logs back in
  var PARALLEL = 3;             // saves in flight at once (distinct questions)
  var SUBMIT_TIMEOUT_MS = 20000;

  var saveUrl = form.dataset.saveUrl;
  var clockUrl = form.dataset.clockUrl;
  var resultUrl = form.dataset.resultUrl;
  var storeKey = "attempt-" + form.dataset.attempt + "-pending";
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var statusEl = document.getElementById("save-status");
  var timerEl = document.getElementById("timer");
  var countdownEl = document.getElementById("countdown");
  var answeredEl = document.getElementById("answered");
  var announceEl = document.getElementById("timer-announce");
  var dialog = document.getElementById("confirm-dialog");
  var questionCount = form.querySelectorAll("fieldset[data-position]").length;

  var deadline = performance.now() + parseFloat(form.dataset.remaining) * 1000;
  var queue = loadQueue();    // key ("0", "1", … or "prediction") → {selected, revision} | {value}
  // Saves are numbered: the server ignores one numbered at or below what it holds (stale, replayed).
  var revision = Math.max(parseInt(form.dataset.revision, 10) || 0, loadRevision());
  var flights = {};           // key → {id, entry, sentAt, timeout, controller}
  var sequence = 0;
  var notBefore = 0;          // no new save before this instant (backing off after a failure)
  var failures = 0;           // failures in a row, for the back-off
  var timeouts = 0;           // abandoned saves in a row, for the next save's timeout
  var trouble = null;         // why the queue is not draining: {kind, text}; cleared by any success
  var refusal = null;         // the server refused an answer for good: said until the next success
  var savedLately = [];       // keys saved since the queue was last empty
  var submission = null;      // {auto, sentAt, id} once handing in has begun
  var submitNotBefore = 0;
  var announced = {};
  var shownStatus = null;

  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function loadRevision() {
    try { return parseInt(localStorage.getItem(storeKey + "-revision"), 10) || 0; } catch (e) { return 0; }
  }
  function storeQueue() {
    try {
      localStorage.setItem(storeKey, JSON.stringify(queue));
      localStorage.setItem(storeKey + "-revision", String(revision));
    } catch (e) { /* private mode or full: the answers are still in memory */ }
  }
  function forgetQueue() {
    try { localStorage.removeItem(storeKey); localStorage.removeItem(storeKey + "-revision"); } catch (e) { /* ignore */ }
  }

  function inputsOf(key) { return form.querySelectorAll("input[name=q" + key + "]"); }
  function selectedOf(key) {
    var values = [];
    inputsOf(key).forEach(function (input) { if (input.checked) values.push(parseInt(input.value, 10)); });
    return values;
  }
  function showSelected(key, selected) {
    inputsOf(key).forEach(function (input) { input.checked = selected.indexOf(parseInt(input.value, 10)) !== -1; });
  }
  function unansweredNumbers() {
    var numbers = [];
    form.querySelectorAll("fieldset[data-position]").forEach(function (fieldset) {
      if (!fieldset.querySelector("input:checked")) numbers.push(parseInt(fieldset.dataset.position, 10) + 1);
    });
    return numbers;
  }
  function countAnswered() {
    answeredEl.textContent = String(questionCount - unansweredNumbers().length);
  }
  function restoreQueue() {
    Object.keys(queue).forEach(function (key) {
      if (key === "prediction") {
        var box = document.getElementById("prediction");
        if (box) box.value = queue.prediction.value;
      } else {
        showSelected(key, queue[key].selected);
      }
    });
  }
  function backOff(delay) {
    failures += 1;
    var wait = delay || Math.min(RETRY_MAX_MS, RETRY_MS * Math.pow(2, failures - 1));
    // Jitter: thousands of phones that lost the same link must not come back in the same instant.
    notBefore = performance.now() + wait * (delay ? 1 : 0.75 + Math.random() * 0.5);
  }
  function retryAfter(reply) {
    var seconds = parseFloat(reply.retryAfter);
    return seconds > 0 ? Math.min(seconds, 30) * 1000 : 0;
  }
  function resync(seconds) {
    if (typeof seconds === "number" && isFinite(seconds)) deadline = performance.now() + seconds * 1000;
  }

  // --- Sending -------------------------------------------------------------------------------------
  // A request whose reply is read whole (a body can stall after the headers); JSON when it is JSON.
  function request(url, options) {
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = JSON.parse(text); } catch (e) { /* an HTML page: a proxy's error, or the log-in form */ }
        return { status: response.status, body: json, url: response.url, redirected: response.redirected,
                 retryAfter: response.headers.get("Retry-After") };
      });
    });
  }
  function send(key, now) {
    var entry = queue[key];
    var id = ++sequence;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var body = key === "prediction" ? { prediction: entry.value }
      : { position: parseInt(key, 10), selected: entry.selected, revision: entry.revision };
    flights[key] = { id: id, entry: entry, sentAt: now, controller: controller,
                     timeout: Math.min(SAVE_TIMEOUT_MAX_MS, SAVE_TIMEOUT_MS * Math.pow(2, timeouts)) };
    request(saveUrl, { method: "POST", body: JSON.stringify(body), credentials: "same-origin",
                       headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
                       signal: controller ? controller.signal : undefined })
      .then(function (reply) { settle(key, id, entry, reply); },
            function () { settle(key, id, entry, null); });
  }
  function abandon(key) {
    var flight = flights[key];
    delete flights[key];
    if (flight.controller) flight.controller.abort();  // frees the connection; its promise may never settle
  }

  // What a reply means. Called for every request, current or abandoned; changes state, then the loop
  // (run at the end) decides what happens next.
  function settle(key, id, entry, reply) {
    var isCurrent = flights[key] && flights[key].id === id;
    if (isCurrent) delete flights[key];
    if (reply && reply.status === 200 && reply.body) {
      // Stored on the server, even if this request had been given up: accept it.
      accepted(key, entry, reply.body, isCurrent);
    } else if (isCurrent) {
      refusedOrFailed(key, entry, reply);
    }
    loop();
  }
  function accepted(key, entry, body, isCurrent) {
    failures = 0;
    timeouts = 0;
    trouble = null;
    refusal = null;
    notBefore = 0;
    if (queue[key] === entry) {
      delete queue[key];
      storeQueue();
      if (key !== "prediction" && typeof body.revision === "number" && body.revision > entry.revision) {
        // Another tab or device saved a newer answer: show what the server holds.
        showSelected(key, body.selected || []);
        revision = Math.max(revision, body.revision);
        countAnswered();
      }
    }
    var flight = flights[key];
    if (flight && flight.entry === entry) abandon(key);  // a resend of what is now known to be stored
    if (savedLately.indexOf(key) === -1) savedLately.push(key);
    if (isCurrent) resync(body.remaining_seconds);  // a late reply's seconds are out of date
  }
  function refusedOrFailed(key, entry, reply) {
    if (!reply || reply.status === 0) {
      trouble = { kind: "offline" };
      backOff();
    } else if (reply.status === 401) {
      // Logged out (the session ended elsewhere): keep the answer until the contestant logs in again.
      trouble = { kind: "session", text: (reply.body && reply.body.error) || "Phiên đăng nhập đã kết thúc." };
      backOff(SESSION_RETRY_MS);
    } else if (reply.status === 409 || reply.status === 400 || reply.status === 404 || reply.status === 422) {
      // Refused for good (too late, already handed in, not a valid answer): keeping it would change nothing.
      if (queue[key] === entry) { delete queue[key]; storeQueue(); }
      refusal = (reply.body && reply.body.error) || "Máy chủ không nhận câu trả lời này.";
      if (reply.status === 409 && reply.body && reply.body.submitted) {
        forgetQueue();
        go(reply.body.result_url || resultUrl);
      }
    } else {
      // 429, 500, 502, 503, 504…: the server or a proxy is struggling; keep the answer and try again.
      trouble = { kind: "server" };
      backOff(retryAfter(reply));
    }
  }

  // --- Handing in ----------------------------------------------------------------------------------
  function handIn(auto) {
    if (submission) return;
    if (dialog && dialog.open) dialog.close();
    submission = { auto: auto, id: 0, sentAt: 0, controller: null, failed: false };
    submitNotBefore = 0;
    Object.keys(flights).forEach(abandon);  // the form carries every answer; saves would only race it
    loop();
  }
  function sendSubmission(now) {
    var data = new FormData(form);
    if (submission.auto) data.append("auto", "1");
    var id = ++sequence;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    submission.id = id;
    submission.sentAt = now;
    submission.controller = controller;
    request(form.action, { method: "POST", body: data, credentials: "same-origin",
                           headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (reply) { submitted(id, reply); }, function () { submitted(id, null); });
  }
  function submitted(id, reply) {
    if (!submission || submission.id !== id) return;
    submission.id = 0;
    if (reply && reply.status === 200 && reply.body && reply.body.location) {
      forgetQueue();
      go(reply.body.location);
    } else if (reply && reply.status === 200) {
      go(reply.url);  // sent to the log-in page (the session ended): the unsaved answers stay on this device
    } else if (reply && reply.status >= 400 && reply.status < 500 && reply.status !== 408 && reply.status !== 429) {
      submission = null;
      refusal = (reply.body && reply.body.error) || "Không nộp được bài. Hãy tải lại trang rồi thử lại.";
    } else {
      submission.failed = true;
      failures += 1;
      submitNotBefore = performance.now() + (retryAfter(reply || {}) ||
        Math.min(RETRY_MAX_MS, RETRY_MS * Math.pow(2, failures - 1)));
    }
    loop();
  }
  function go(url) {
    window.removeEventListener("pagehide", storeQueue);
    window.location.href = url;
  }

  // --- The loop ------------------------------------------------------------------------------------
  function loop() {
    var now = performance.now();
    tick(now);
    if (submission) {
      if (submission.id && now - submission.sentAt > SUBMIT_TIMEOUT_MS) {
        if (submission.controller) submission.controller.abort();
        submission.id = 0;
        submission.failed = true;
      }
      if (!submission.id && now >= submitNotBefore) sendSubmission(now);
    } else {
      Object.keys(flights).forEach(function (key) {
        if (now - flights[key].sentAt >= flights[key].timeout) {
          abandon(key);
          timeouts += 1;
          trouble = { kind: "slow" };
          notBefore = 0;  // send it again at once, with a longer wait
        }
      });
      if (now >= notBefore) {
        var keys = Object.keys(queue);
        for (var i = 0; i < keys.length && Object.keys(flights).length < PARALLEL; i++) {
          if (!flights[keys[i]]) send(keys[i], now);
        }
      }
    }
    render(now);
  }

  function statusNow(now) {
    var kept = Object.keys(queue).length;
    var keptText = kept === 1 ? "1 câu trả lời" : kept + " câu trả lời";
    if (submission) {
      if (!submission.failed) return [submission.auto ? "Hết giờ — đang nộp bài…" : "Đang nộp bài…", false];
      return [submission.auto
        ? "Hết giờ — mất kết nối; bài sẽ được nộp khi có mạng (các câu đã lưu trước hạn vẫn được tính)."
        : "Mất kết nối — bài sẽ được nộp khi có mạng. Đừng đóng trang này.", true];
    }
    if (refusal && !kept) return [refusal, true];
    if (kept) {
      var slowest = 0;
      Object.keys(flights).forEach(function (key) { slowest = Math.max(slowest, now - flights[key].sentAt); });
      if (trouble && trouble.kind === "session") return [trouble.text, true];
      if (trouble && trouble.kind === "offline" || !navigator.onLine) {
        return ["Mất kết nối — " + keptText + " được giữ trên máy này và sẽ được lưu khi có mạng.", true];
      }
      if (trouble && trouble.kind === "server") {
        return ["Máy chủ đang bận — " + keptText + " được giữ trên máy này, đang thử lại…", true];
      }
      if (trouble && trouble.kind === "slow") {
        return ["Mạng chậm — đang gửi lại; " + keptText + " được giữ trên máy này.", true];
      }
      if (slowest >= SLOW_AFTER_MS) return ["Mạng chậm — vẫn đang lưu; " + keptText + " được giữ trên máy này.", true];
      return ["Đang lưu…", false];
    }
    if (refusal) return [refusal, true];
    if (!savedLately.length) return ["", false];
    var last = savedLately[savedLately.length - 1];
    if (savedLately.length > 1) return ["Đã lưu tất cả câu trả lời đã chọn.", false];
    return [last === "prediction" ? "Đã lưu câu dự đoán." : "Đã lưu câu " + (parseInt(last, 10) + 1) + ".", false];
  }
  function render(now) {
    var status = statusNow(now);
    var text = status[0] + (status[1] ? "!" : "");
    if (text === shownStatus) return;  // the live region speaks only when the words change
    shownStatus = text;
    statusEl.textContent = status[0];
    statusEl.classList.toggle("offline", status[1]);
  }

  // --- The countdown -------------------------------------------------------------------------------
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
  function tick(now) {
    var left = deadline - now;
    var text = formatRemaining(left);
    if (timerEl.textContent !== text) timerEl.textContent = text;
    timerEl.classList.toggle("low", left <= 60000);
    announce(left);
    if (left <= 0 && !submission) handIn(true);
  }

  // Coming back to the page (a phone that slept, a tab switched): the monotonic clock may have stood
  // still meanwhile, so ask the server for the time left, and send what waits at once.
  function comeBack() {
    if (document.visibilityState === "hidden") return;
    notBefore = 0;
    submitNotBefore = 0;
    fetch(clockUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (clock) {
        if (!clock) return;
        if (clock.is_closed && !submission) { go(clock.result_url); return; }
        resync(clock.remaining_seconds);
        loop();
      }, function () { /* offline: the saves' replies will resync the clock */ });
    loop();
  }

  // --- Events: each only changes state and runs the loop -------------------------------------------
  form.addEventListener("change", function (event) {
    if (submission) return;
    // "Saved" speaks of the answers chosen since everything was last saved.
    if (!Object.keys(queue).length && !Object.keys(flights).length) savedLately = [];
    if (event.target.id === "prediction") {
      queue.prediction = { value: event.target.value };
    } else {
      var fieldset = event.target.closest("fieldset[data-position]");
      if (!fieldset) return;
      var key = fieldset.dataset.position;
      revision += 1;
      queue[key] = { selected: selectedOf(key), revision: revision };
      countAnswered();
    }
    storeQueue();
    refusal = null;
    loop();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    confirmHandIn();
  });
  function confirmHandIn() {
    if (submission) return;
    var missing = unansweredNumbers();
    var summary = "Bạn đã trả lời " + (questionCount - missing.length) + "/" + questionCount + " câu.";
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(summary + (missing.length ? " Chưa trả lời: câu " + missing.join(", ") + "." : "") + " Nộp bài?")) {
        handIn(false);
      }
      return;
    }
    document.getElementById("confirm-summary").textContent = summary;
    var list = document.getElementById("confirm-unanswered");
    list.textContent = "";
    if (missing.length) {
      list.appendChild(document.createTextNode("Chưa trả lời: "));
      missing.forEach(function (number, index) {
        var link = document.createElement("a");
        link.href = "#cau-" + number;
        link.textContent = "câu " + number;
        link.addEventListener("click", function () { dialog.close(); });
        list.appendChild(link);
        list.appendChild(document.createTextNode(index < missing.length - 1 ? ", " : "."));
      });
    }
    dialog.showModal();
  }
  if (dialog) {
    document.getElementById("confirm-submit").addEventListener("click", function () {
      dialog.close();
      handIn(false);
    });
    document.getElementById("confirm-cancel").addEventListener("click", function () { dialog.close(); });
  }
  window.addEventListener("online", function () { notBefore = 0; submitNotBefore = 0; loop(); });
  window.addEventListener("offline", function () { loop(); });
  document.addEventListener("visibilitychange", comeBack);
  window.addEventListener("pageshow", function (event) { if (event.persisted) comeBack(); });
  window.addEventListener("pagehide", storeQueue);

  restoreQueue();
  countAnswered();
  countdownEl.hidden = false;
  window.setInterval(loop, LOOP_MS);
  loop();
})();
