// Follows a background job on its page: asks /jobs/<id>.json every second until the job has finished,
// and moves the progress bar, the step and the outcome; a job whose result is waited for (a file's
// preview) goes on to it by itself. (No inline script: the page's CSP forbids it.)
(function () {
  "use strict";
  var section = document.querySelector("[data-job-state]");
  if (!section) { return; }
  var url = section.getAttribute("data-job-state");
  var bar = section.querySelector(".job-progress");
  var percent = section.querySelector(".job-percent");
  var status = section.querySelector(".job-status");
  var step = section.querySelector(".job-step");
  var message = section.querySelector(".job-message");
  var next = section.querySelector(".job-next");

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    percent.textContent = state.percent + " %" + (state.total && !state.finished ? " (bước " +
      state.done.toLocaleString("vi-VN") + "/" + state.total.toLocaleString("vi-VN") + ")" : "");
    status.textContent = state.status_label;
    step.textContent = state.step ? " · " + state.step : "";
    message.textContent = state.message || "";
    message.classList.toggle("error", state.status === "failed");
    if (state.url) {
      next.querySelector("a").href = state.url;
      next.hidden = false;
    }
    if (state.url && state.follow) { window.location.assign(state.url); }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) { show(state); }
        if (!state || !state.finished) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });  // a dropped link: keep following
  }

  if (section.querySelector(".job-status").textContent !== "Đã xong") { window.setTimeout(poll, 1000); }
}());
