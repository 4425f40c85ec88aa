/* The contestant's phone: the question's options, its team's own state ("đã chọn B — chờ công bố"), its
   team's score. The server decides everything: an answer counts once the server has acknowledged it before
   the lock; an answer chosen while the link is down is kept here and sent when it returns (the server refuses
   it if the question has locked meanwhile). After a reconnect the page reads its team's state again. */
(function () {
  "use strict";
  var L = window.LiveLink;
  var root = document.getElementById("player");
  if (!root) { return; }
  var teamId = Number(root.dataset.team);
  var token = document.querySelector("#player-form input[name=csrf_token]").value;
  var el = {};
  ["team-score", "team-rank", "rehearsal-banner", "link-status", "segment-line", "player-countdown",
   "player-question", "player-options", "buzz-button", "stake-button", "player-state", "player-citation"]
    .forEach(function (id) { el[id] = document.getElementById(id); });

  var state = null;
  var mine = { run: null, question: null, choice: null, pressed: false, staked: false, starsLeft: null };
  var note = "";          // the last thing the server said about this device's own action
  var pending = null;     // {run, question, choice}: chosen, not yet acknowledged
  var sending = false;
  var retryTimer = null;
  var storeKey = "live-pending-" + root.dataset.answer;

  function keep() {
    try { localStorage.setItem(storeKey, pending ? JSON.stringify(pending) : ""); } catch (e) { /* private mode */ }
  }
  try { pending = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { pending = null; }

  function sameQuestion() {
    return state && mine.run === state.run && state.question && mine.question === state.question.id;
  }

  function resetIfNewQuestion() {
    if (!state || !state.question) { return; }
    if (mine.run !== state.run || mine.question !== state.question.id) {
      mine = { run: state.run, question: state.question.id, choice: null, pressed: false, staked: false,
               starsLeft: mine.starsLeft };
      note = "";
    }
  }

  function readMine() {
    fetch(root.dataset.me, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (view) {
        if (!view) { return; }
        // A reply read before this device's own answer was stored must not undo what the answer's reply said.
        var same = view.run === mine.run && view.question === mine.question;
        mine = { run: view.run, question: view.question,
                 choice: view.choice !== null ? view.choice : (same ? mine.choice : null),
                 pressed: view.pressed || (same && mine.pressed), staked: view.staked || (same && mine.staked),
                 starsLeft: view.stars_left };
        if (pending && pending.question === view.question && view.choice !== null) { pending = null; keep(); }
        render();
        send();
      })
      .catch(function () { /* the stream's next open tries again */ });
  }

  function send() {
    if (!pending || sending) { return; }
    if (state && (state.run !== pending.run || !state.question || state.question.id !== pending.question ||
                  (state.phase !== "open" && state.phase !== "paused"))) {
      if (state.phase !== "open" && state.phase !== "paused") {
        note = "Không gửi được câu trả lời trước khi khóa câu hỏi.";
      }
      pending = null; keep(); render();
      return;
    }
    sending = true;
    var answer = pending;
    L.post(root.dataset.answer, token, answer).then(function (reply) {
      sending = false;
      var data = reply.data || {};
      if (reply.status >= 500) { throw new Error("server"); }
      pending = null; keep();
      if (data.choice !== null && data.choice !== undefined && answer.question === mine.question) {
        mine.choice = data.choice;
      }
      note = data.message || "";
      render();
    }).catch(function () {
      sending = false;
      note = "Mất kết nối — câu trả lời " + L.letter(answer.choice) + " được giữ trên máy này và sẽ gửi khi có mạng.";
      render();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(send, 1500);
    });
  }

  function choose(index) {
    if (!state || state.phase !== "open" || mine.choice !== null || pending) { return; }
    pending = { run: state.run, question: state.question.id, choice: index };
    keep();
    note = "Đang gửi " + L.letter(index) + "…";
    render();
    send();
  }

  function act(url, success) {
    L.post(url, token, { question: state.question.id }).then(function (reply) {
      var data = reply.data || {};
      if (reply.status === 200) { success(); }
      note = data.message || "";
      render();
    }).catch(function () { note = "Mất kết nối — hãy thử lại."; render(); });
  }

  el["buzz-button"].addEventListener("click", function () {
    act(root.dataset.buzz, function () { mine.pressed = true; });
  });
  el["stake-button"].addEventListener("click", function () {
    act(root.dataset.stake, function () { mine.staked = true; if (mine.starsLeft) { mine.starsLeft -= 1; } });
  });

  function optionButtons(options) {
    var box = el["player-options"];
    if (box.dataset.question === String(state.question.id) && box.children.length === options.length) { return; }
    box.dataset.question = String(state.question.id);
    box.textContent = "";
    options.forEach(function (option, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "player-option";
      button.dataset.index = String(index);
      var badge = document.createElement("span");
      badge.className = "option-letter";
      badge.textContent = L.letter(index);
      var label = document.createElement("span");
      label.textContent = option;
      button.appendChild(badge);
      button.appendChild(label);
      button.addEventListener("click", function () { choose(index); });
      box.appendChild(button);
    });
  }

  function myResult() {
    var result = (state.results || {})[teamId];
    return result ? { points: result[0], correct: result[1] === 1 } : null;
  }

  function render() {
    if (!state) { return; }
    var own = (state.scores || {})[teamId];
    if (own) {
      L.text(el["team-score"], String(own[0]));
      L.text(el["team-rank"], state.team_count > 1 ? "(hạng " + own[1] + "/" + state.team_count + ")" : "");
    }
    el["rehearsal-banner"].hidden = !state.rehearsal;
    var q = state.question, phase = state.phase, kind = state.segment ? state.segment.kind : null;
    var onQuestion = q && ["open", "paused", "locked", "revealed", "scoreboard"].indexOf(phase) >= 0;
    L.text(el["segment-line"], state.segment ? state.segment.title + " · " + q.in_segment + " · " + q.points + " điểm" : "");
    L.text(el["player-question"], onQuestion && q.text ? q.text : "");
    var showOptions = onQuestion && q.on_device && q.options;
    el["player-options"].hidden = !showOptions;
    if (showOptions) {
      optionButtons(q.options);
      var held = mine.choice !== null ? mine.choice : (pending && sameQuestion() ? pending.choice : null);
      var correct = state.reveal ? state.reveal.correct : [];
      Array.prototype.forEach.call(el["player-options"].children, function (button) {
        var index = Number(button.dataset.index);
        button.disabled = phase !== "open" || held !== null;
        button.classList.toggle("chosen", held === index);
        button.setAttribute("aria-pressed", held === index ? "true" : "false");
        button.classList.toggle("right", correct.indexOf(index) >= 0);
      });
    }
    el["buzz-button"].hidden = !(kind === "buzzer" && phase === "open");
    el["buzz-button"].disabled = mine.pressed || (state.buzz && state.buzz.out.indexOf(teamId) >= 0);
    var canStake = kind === "star" && phase === "staking" && !mine.staked && mine.starsLeft !== 0;
    el["stake-button"].hidden = !canStake;
    L.text(el["player-citation"], state.reveal && state.reveal.citation ? "Căn cứ: " + state.reveal.citation : "");
    L.text(el["player-state"], describe(phase, kind));
    tick();
  }

  function describe(phase, kind) {
    var held = mine.choice !== null ? L.letter(mine.choice) : null;
    if (phase === "waiting" || phase === "lobby") { return "Chờ người dẫn chương trình bắt đầu."; }
    if (phase === "finished") {
      var row = (state.scores || {})[teamId];
      return row ? "Hội thi kết thúc. Đội xếp hạng " + row[1] + " với " + row[0] + " điểm." : "Hội thi kết thúc.";
    }
    if (phase === "staking") {
      if (mine.staked) { return "Đội đã đặt ngôi sao hy vọng cho câu này — chờ câu hỏi mở."; }
      return "Câu tiếp theo " + state.question.points + " điểm. Đặt ngôi sao hy vọng? (đúng: gấp đôi)" +
        (mine.starsLeft !== null ? " Còn " + mine.starsLeft + " ngôi sao." : "");
    }
    if (kind === "buzzer") {
      var buzz = state.buzz || { queue: [], out: [], right: [] };
      if (phase === "open" || phase === "paused") {
        if (buzz.holder === teamId) { return "Đội giành quyền trả lời! Hãy trả lời to, rõ."; }
        if (buzz.out.indexOf(teamId) >= 0) { return "Đội đã trả lời sai câu này."; }
        if (buzz.holder) { return L.teamName(state, buzz.holder) + " đang trả lời." + (mine.pressed ? " Đội đã bấm chuông — chờ lượt." : ""); }
        return mine.pressed ? "Đã bấm chuông — chờ lượt." : "Bấm chuông để giành quyền trả lời.";
      }
    }
    if (phase === "open") {
      if (held) { return "Đã chọn " + held + " — chờ công bố."; }
      if (pending && sameQuestion()) { return note; }
      return note || "Chọn một phương án.";
    }
    if (phase === "paused") { return "Tạm dừng — chờ người dẫn chương trình." + (held ? " Đã chọn " + held + "." : ""); }
    if (phase === "locked") {
      if (kind === "buzzer") { return "Câu hỏi đã kết thúc."; }
      return held ? "Hết giờ. Đã chọn " + held + " — chờ công bố." : (note || "Hết giờ. Đội chưa trả lời câu này.");
    }
    if (phase === "revealed" || phase === "scoreboard") {
      var result = myResult();
      var answer = state.reveal ? "Đáp án đúng: " + state.reveal.letters + ". " : "";
      if (!result) { return answer + (held ? "Đội chọn " + held + "." : "Đội không trả lời."); }
      var points = (result.points > 0 ? "+" : "") + result.points + " điểm";
      return answer + (result.correct ? "Đúng! " : "Sai. ") + (held ? "Đội chọn " + held + ". " : "") + points + ".";
    }
    return "";
  }

  function tick() {
    if (!state) { return; }
    var ms = L.remainingMs(state.question, state.phase, link);
    var show = state.question && ["open", "paused"].indexOf(state.phase) >= 0 &&
               !(state.buzz && state.buzz.holder);
    L.text(el["player-countdown"], show && ms !== null ? L.seconds(ms) + " giây" : "");
  }

  var link = L.connect({
    stream: root.dataset.stream, state: root.dataset.state,
    onState: function (next) {
      state = next;
      resetIfNewQuestion();
      render();
      if (pending) { send(); }
    },
    onOpen: readMine,
    onStatus: function (kind) {
      L.text(el["link-status"], L.STATUS[kind]);
      el["link-status"].classList.toggle("offline", kind === "offline");
      if (kind === "online" && pending) { send(); }
    }
  });
  window.addEventListener("online", function () { send(); });
  setInterval(tick, 200);
}());
