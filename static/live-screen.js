/* The projector screen, readable from 10 m: the join code, then each question with its countdown, the answer
   with its legal citation and the distribution of answers, and the scoreboard between questions. */
(function () {
  "use strict";
  var L = window.LiveLink;
  var root = document.getElementById("screen");
  if (!root) { return; }
  var el = {};
  ["screen-segment", "rehearsal-banner", "fullscreen", "view-waiting", "waiting-line", "view-question",
   "question-number", "countdown", "question-text", "options", "question-note", "reveal", "reveal-letters",
   "reveal-citation", "reveal-explanation", "view-board", "board-title", "board", "link-status"]
    .forEach(function (id) { el[id] = document.getElementById(id); });
  var state = null, tally = null;

  function toggleFullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  }
  el.fullscreen.addEventListener("click", toggleFullscreen);
  document.addEventListener("keydown", function (event) { if (event.key === "f" || event.key === "F") { toggleFullscreen(); } });
  document.addEventListener("fullscreenchange", function () {
    el.fullscreen.textContent = document.fullscreenElement ? "Thoát toàn màn hình" : "Toàn màn hình";
  });

  function show(view) {
    ["view-waiting", "view-question", "view-board"].forEach(function (id) { el[id].hidden = id !== view; });
  }

  function renderOptions() {
    var q = state.question, list = el.options;
    var counts = state.distribution || null;
    var total = counts ? counts.reduce(function (a, b) { return a + b; }, 0) : 0;
    var correct = state.reveal ? state.reveal.correct : [];
    list.textContent = "";
    list.hidden = !q.options;
    (q.options || []).forEach(function (option, index) {
      var item = document.createElement("li");
      item.className = "option" + (correct.indexOf(index) >= 0 ? " right" : "") + (state.reveal && correct.indexOf(index) < 0 ? " dim" : "");
      var badge = document.createElement("span");
      badge.className = "option-letter";
      badge.textContent = L.letter(index);
      var label = document.createElement("span");
      label.className = "option-text";
      label.textContent = option;
      item.appendChild(badge);
      item.appendChild(label);
      if (counts) {
        var bar = document.createElement("span");
        bar.className = "bar";
        var fill = document.createElement("span");
        fill.className = "bar-fill";
        fill.style.width = (total ? Math.round(100 * counts[index] / total) : 0) + "%";  // CSSOM: allowed by the CSP
        bar.appendChild(fill);
        var count = document.createElement("span");
        count.className = "bar-count";
        count.textContent = counts[index] + " đội";
        item.appendChild(bar);
        item.appendChild(count);
      }
      list.appendChild(item);
    });
  }

  function renderBoard(title) {
    L.text(el["board-title"], title);
    var list = el.board;
    list.textContent = "";
    (state.scoreboard || []).slice(0, 12).forEach(function (row) {
      var item = document.createElement("li");
      var rank = document.createElement("span");
      rank.className = "board-rank";
      rank.textContent = String(row.rank);
      var name = document.createElement("span");
      name.className = "board-name";
      name.textContent = row.name;
      var score = document.createElement("span");
      score.className = "board-score";
      score.textContent = String(row.score);
      item.appendChild(rank);
      item.appendChild(name);
      item.appendChild(score);
      list.appendChild(item);
    });
  }

  function note() {
    var q = state.question, phase = state.phase;
    if (phase === "paused") { return "TẠM DỪNG"; }
    if (state.segment.kind === "buzzer") {
      var buzz = state.buzz || {};
      if (phase === "open" && buzz.holder) { return L.teamName(state, buzz.holder) + " giành quyền trả lời!"; }
      if (phase === "open") { return "Bấm chuông để giành quyền trả lời!"; }
      if (buzz.right && buzz.right.length) { return L.teamName(state, buzz.right[0]) + " trả lời đúng."; }
      return phase === "locked" ? "Hết giờ." : "";
    }
    var answered = tally && tally.question === q.id && phase === "open" ? tally.answered.length : (state.answered_count || 0);
    if (phase === "open") { return answered + "/" + state.team_count + " đội đã trả lời"; }
    if (phase === "locked") { return "Hết giờ — " + answered + "/" + state.team_count + " đội đã trả lời"; }
    if (phase === "staking") {
      var stakes = (state.stakes || []).map(function (id) { return L.teamName(state, id); });
      return "Các đội đặt ngôi sao hy vọng" + (stakes.length ? ": ★ " + stakes.join(", ") : "…");
    }
    return "";
  }

  function render() {
    el["rehearsal-banner"].hidden = !state.rehearsal;
    var phase = state.phase, q = state.question;
    L.text(el["screen-segment"], state.segment ? state.segment.title + " — " + state.segment.label : "");
    if (phase === "waiting" || phase === "lobby" || !q && phase !== "scoreboard" && phase !== "finished") {
      L.text(el["waiting-line"], phase === "lobby" ? "Sắp bắt đầu — các đội tham gia bằng mã trên." : "Chờ người dẫn chương trình bắt đầu.");
      show("view-waiting");
    } else if (phase === "scoreboard" || phase === "finished") {
      renderBoard(phase === "finished" ? "Kết quả chung cuộc" : "Bảng điểm");
      show("view-board");
    } else {
      L.text(el["question-number"], "Câu " + q.number + "/" + q.total + " · " + q.points + " điểm");
      L.text(el["question-text"], q.text || "Câu hỏi ngôi sao hy vọng");
      renderOptions();
      L.text(el["question-note"], note());
      el.reveal.hidden = !state.reveal;
      if (state.reveal) {
        L.text(el["reveal-letters"], state.reveal.letters);
        L.text(el["reveal-citation"], state.reveal.citation + (state.reveal.document ? " (" + state.reveal.document + ")" : ""));
        L.text(el["reveal-explanation"], state.reveal.explanation || "");
      }
      show("view-question");
    }
    root.dataset.phase = phase;
    tick();
  }

  function tick() {
    if (!state) { return; }
    var ms = L.remainingMs(state.question, state.phase, link);
    var running = ["open", "paused"].indexOf(state.phase) >= 0 && !(state.buzz && state.buzz.holder);
    L.text(el.countdown, running && ms !== null ? L.seconds(ms) : "");
    el.countdown.classList.toggle("urgent", running && ms !== null && ms <= 5000);
  }

  var link = L.connect({
    stream: root.dataset.stream, state: root.dataset.state,
    onState: function (next) { state = next; render(); },
    onTally: function (next) { tally = next; if (state && state.question) { L.text(el["question-note"], note()); } },
    onStatus: function (kind) { L.text(el["link-status"], kind === "offline" ? L.STATUS.offline : ""); }
  });
  setInterval(tick, 200);
}());
