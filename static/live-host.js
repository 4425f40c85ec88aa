/* The host's console: the stage's controls (buttons and keyboard shortcuts), the question with its answer
   for the host's eyes, what every team has answered, the buzzer's marks and corrections with a reason. */
(function () {
  "use strict";
  var L = window.LiveLink;
  var root = document.getElementById("host");
  if (!root) { return; }
  var token = document.querySelector("#host-form input[name=csrf_token]").value;
  var el = {};
  ["rehearsal-banner", "link-status", "host-message", "phase-label", "countdown", "segment-line", "question-text",
   "question-options", "correct-line", "tally-line", "buzz-panel", "buzz-holder", "team-rows", "mark-log",
   "correct-dialog", "correct-form", "correct-team", "correct-question", "correct-points", "correct-reason",
   "correct-cancel"].forEach(function (id) { el[id] = document.getElementById(id); });
  var state = null, details = null, tally = null, fetching = false, again = false, correcting = null;

  var ALLOWED = {
    start: function (s) { return s.phase === "waiting" || s.run === null; },
    rehearse: function (s) { return s.phase === "waiting" || s.run === null; },
    next: function (s) { return ["lobby", "staking", "locked", "revealed", "scoreboard"].indexOf(s.phase) >= 0; },
    lock: function (s) { return s.phase === "open" || s.phase === "paused"; },
    pause: function (s) { return s.phase === "open" && !(s.buzz && s.buzz.holder); },
    resume: function (s) { return s.phase === "paused"; },
    reveal: function (s) { return s.phase === "locked" || (s.phase === "scoreboard" && !!s.question); },
    scoreboard: function (s) { return ["lobby", "locked", "revealed"].indexOf(s.phase) >= 0; },
    finish: function (s) { return !s.rehearsal && ["lobby", "locked", "revealed", "scoreboard"].indexOf(s.phase) >= 0; },
    "end-rehearsal": function (s) { return s.rehearsal && s.phase !== "waiting"; }
  };

  function message(text, isError) {
    el["host-message"].hidden = !text;
    el["host-message"].textContent = text || "";
    el["host-message"].classList.toggle("error", !!isError);
  }

  function actionUrl(name) {
    if (name === "start") { return root.dataset.start; }
    if (name === "rehearse") { return root.dataset.rehearse; }
    return root.dataset.action.replace("ACTION", name);
  }

  function run(name) {
    if (!state || !ALLOWED[name](state)) { return; }
    if (name === "finish" && !window.confirm("Kết thúc hội thi và chốt bảng điểm?")) { return; }
    if (name === "end-rehearsal" && !window.confirm("Kết thúc diễn tập? Dữ liệu diễn tập sẽ bị xóa.")) { return; }
    L.post(actionUrl(name), token, {}).then(function (reply) {
      if (reply.status !== 200) { message((reply.data && reply.data.message) || "Không thực hiện được.", true); }
      else { message(""); }
    }).catch(function () { message("Mất kết nối — chưa gửi được lệnh.", true); });
  }

  function markSpoken(correct) {
    if (!state || !state.buzz || !state.buzz.holder) { return; }
    L.post(root.dataset.mark, token, { team: state.buzz.holder, correct: correct }).then(function (reply) {
      message(reply.status === 200 ? "" : (reply.data && reply.data.message) || "Không chấm được.", reply.status !== 200);
    }).catch(function () { message("Mất kết nối — chưa chấm được.", true); });
  }

  Array.prototype.forEach.call(root.querySelectorAll("[data-do]"), function (button) {
    button.addEventListener("click", function () { run(button.dataset.do); });
  });
  Array.prototype.forEach.call(root.querySelectorAll("[data-mark]"), function (button) {
    button.addEventListener("click", function () { markSpoken(button.dataset.mark === "true"); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA" ||
                   el["correct-dialog"].open)) { return; }
    var key = event.key.toLowerCase();
    var name = { n: "next", arrowright: "next", l: "lock", r: "reveal", b: "scoreboard" }[key];
    if (key === "p" || key === " ") { name = state && state.phase === "paused" ? "resume" : "pause"; }
    if (name) { event.preventDefault(); run(name); return; }
    if (key === "d") { event.preventDefault(); markSpoken(true); }
    if (key === "s") { event.preventDefault(); markSpoken(false); }
  });

  function loadDetails() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(root.dataset.answers, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { details = data; renderTeams(); renderCorrect(); } })
      .catch(function () { /* the next change fetches again */ })
      .then(function () { fetching = false; if (again) { again = false; loadDetails(); } });
  }

  function cell(row, value, className) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function renderTeams() {
    if (!state) { return; }
    var scores = state.scores || {};
    var current = details && details.run === state.run && details.question === (state.question ? state.question.id : null);
    var answered = tally && state.question && tally.question === state.question.id ? tally.answered : [];
    var body = el["team-rows"];
    body.textContent = "";
    ((details && details.teams) || []).forEach(function (row) {
      var team = { id: row.team, name: row.name };
      var info = current ? row : {};
      var line = document.createElement("tr");
      line.dataset.team = String(team.id);
      cell(line, team.name);
      cell(line, info.choice || (answered.indexOf(team.id) >= 0 ? "đã trả lời" : "—"), "answer-cell");
      cell(line, info.after_ms !== null && info.after_ms !== undefined ? (info.after_ms / 1000).toFixed(1) : "");
      cell(line, info.pressed ? "#" + info.pressed + (info.spoken === true ? " đúng" : info.spoken === false ? " sai" : "") : "");
      cell(line, info.staked ? "★" : "");
      cell(line, info.points !== null && info.points !== undefined ? info.points : "");
      cell(line, scores[team.id] ? scores[team.id][0] : 0);
      var actions = document.createElement("td");
      var fix = document.createElement("button");
      fix.type = "button";
      fix.className = "link";
      fix.textContent = "Sửa điểm";
      fix.addEventListener("click", function () { openCorrection(team, info); });
      actions.appendChild(fix);
      line.appendChild(actions);
      body.appendChild(line);
    });
    var log = el["mark-log"];
    log.textContent = "";
    ((details && details.log) || []).forEach(function (mark) {
      var item = document.createElement("li");
      var kinds = { auto: "máy chấm", host: "người dẫn chấm", correction: "sửa điểm" };
      item.textContent = mark.question + " · " + mark.team + ": " + (mark.points > 0 ? "+" : "") + mark.points +
        " (" + kinds[mark.kind] + (mark.note ? ", " + mark.note : "") + ") — " + mark.by;
      log.appendChild(item);
    });
  }

  function openCorrection(team, info) {
    correcting = team;
    el["correct-team"].textContent = team.name;
    if (state.question) { el["correct-question"].value = String(state.question.id); }
    el["correct-points"].value = info.points !== null && info.points !== undefined ? info.points : 0;
    el["correct-reason"].value = "";
    el["correct-dialog"].showModal();
    el["correct-points"].focus();
  }
  el["correct-cancel"].addEventListener("click", function () { el["correct-dialog"].close(); });
  el["correct-form"].addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { team: correcting.id, question: Number(el["correct-question"].value),
                 points: Number(el["correct-points"].value), reason: el["correct-reason"].value };
    L.post(root.dataset.correct, token, body).then(function (reply) {
      if (reply.status === 200) { el["correct-dialog"].close(); message("Đã sửa điểm của " + correcting.name + "."); loadDetails(); }
      else { message((reply.data && reply.data.message) || "Không sửa được điểm.", true); }
    }).catch(function () { message("Mất kết nối — chưa sửa được điểm.", true); });
  });

  function render() {
    el["rehearsal-banner"].hidden = !state.rehearsal;
    L.text(el["phase-label"], L.PHASES[state.phase] || state.phase);
    var q = state.question;
    L.text(el["segment-line"], state.segment ? "Phần " + state.segment.position + ": " + state.segment.title + " (" +
      state.segment.label + ") · " + q.in_segment + " · câu " + q.number + "/" + q.total + " · " + q.points + " điểm — " +
      state.segment.rule : "");
    L.text(el["question-text"], q ? (q.text || "(câu hỏi chưa hiện: các đội đang đặt ngôi sao)") : "");
    var list = el["question-options"];
    list.textContent = "";
    ((q && q.options) || []).forEach(function (option) {
      var item = document.createElement("li");
      item.textContent = option;
      list.appendChild(item);
    });
    renderCorrect();
    var hideWhenNotAllowed = ["start", "rehearse", "end-rehearsal", "resume", "pause"];
    Object.keys(ALLOWED).forEach(function (name) {
      var button = root.querySelector("[data-do='" + name + "']");
      var allowed = ALLOWED[name](state);
      if (button) {
        button.disabled = !allowed;
        button.hidden = !allowed && hideWhenNotAllowed.indexOf(name) >= 0;
      }
    });
    var holder = state.buzz && state.buzz.holder;
    el["buzz-panel"].hidden = !(state.phase === "open" && holder);
    L.text(el["buzz-holder"], holder ? L.teamName(state, holder) : "—");
    renderTally();
    renderTeams();
    tick();
  }

  function renderCorrect() {
    var q = state && state.question;
    var correct = details && details.correct && q && details.question === q.id ? details.correct : null;
    L.text(el["correct-line"], correct ? "Đáp án (chỉ người dẫn thấy): " + correct +
      (details.citation ? " — căn cứ: " + details.citation : "") : "");
  }

  function renderTally() {
    if (!state.question) { L.text(el["tally-line"], ""); return; }
    var fresh = tally && tally.question === state.question.id;
    var answered = fresh ? tally.answered.length : (state.answered_count || 0);
    var pressed = state.buzz ? state.buzz.queue.concat(state.buzz.out, state.buzz.right) : [];
    if (state.segment.kind === "buzzer") {
      var names = pressed.map(function (id) { return L.teamName(state, id); });
      L.text(el["tally-line"], names.length ? "Đã bấm chuông: " + names.join(", ") : "Chưa đội nào bấm chuông.");
    } else {
      L.text(el["tally-line"], answered + "/" + state.team_count + " đội đã trả lời.");
    }
  }

  function tick() {
    if (!state) { return; }
    var ms = L.remainingMs(state.question, state.phase, link);
    L.text(el["countdown"], ms !== null && ["open", "paused"].indexOf(state.phase) >= 0 ? L.seconds(ms) + " giây" : "");
  }

  var link = L.connect({
    stream: root.dataset.stream, state: root.dataset.state,
    onState: function (next) { state = next; render(); loadDetails(); },
    onTally: function (next) { tally = next; if (state) { renderTally(); renderTeams(); loadDetails(); } },
    onStatus: function (kind) {
      L.text(el["link-status"], L.STATUS[kind]);
      el["link-status"].classList.toggle("offline", kind === "offline");
    }
  });
  setInterval(tick, 200);
}());
