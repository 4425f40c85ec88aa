// Countdowns ("Còn 3 ngày 04:12:09"): the server writes the seconds left; the page counts down from
// them with the monotonic clock, so a device whose clock is wrong still shows the right time.
(function () {
  "use strict";
  var started = performance.now();
  var items = Array.prototype.map.call(document.querySelectorAll("[data-countdown]"), function (element) {
    return {element: element, seconds: parseInt(element.getAttribute("data-countdown"), 10) || 0};
  });
  if (!items.length) return;

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function text(left) {
    if (left <= 0) return "0 giây (đã hết giờ, tải lại trang để xem)";
    var days = Math.floor(left / 86400);
    var hours = Math.floor(left % 86400 / 3600);
    var clock = two(hours) + ":" + two(Math.floor(left % 3600 / 60)) + ":" + two(left % 60);
    return days ? days + " ngày " + clock : clock;
  }

  function tick() {
    var elapsed = Math.floor((performance.now() - started) / 1000);
    items.forEach(function (item) { item.element.textContent = text(item.seconds - elapsed); });
  }
  tick();
  setInterval(tick, 1000);
})();
