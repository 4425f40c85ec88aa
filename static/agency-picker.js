// The agency picker (templates/agencies/_picker.html): agencies found as one types, no page reload.
// Without this script the "Tìm" button sends the words to the page, which lists the same choices.
(function () {
  "use strict";

  function option(name, agency, checked) {
    var label = document.createElement("label");
    label.className = "option agency-option";
    var input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = String(agency.id);
    input.checked = checked;
    var text = document.createElement("span");
    var title = document.createElement("span");
    title.className = "agency-name";
    title.textContent = agency.name;
    text.appendChild(title);
    if (agency.trail) {
      var trail = document.createElement("span");
      trail.className = "meta";
      trail.textContent = agency.trail;
      text.appendChild(trail);
    }
    label.appendChild(input);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(text);
    return label;
  }

  function setUp(picker) {
    var name = picker.getAttribute("data-name");
    var url = picker.getAttribute("data-search-url");
    var input = picker.querySelector("input[type=search]");
    var results = picker.querySelector(".picker-results");
    var status = picker.querySelector(".picker-status");
    var form = document.getElementById(picker.getAttribute("data-search-form"));
    var timer = null;
    var asked = "";

    function chosen() {
      var checked = results.querySelector("input:checked");
      if (!checked) return null;
      var label = checked.closest("label");
      var trail = label.querySelector(".meta");
      return {id: checked.value, name: label.querySelector(".agency-name").textContent,
              trail: trail ? trail.textContent : ""};
    }

    function show(words, found) {
      var keep = chosen();
      results.textContent = "";
      if (keep) results.appendChild(option(name, keep, true));
      found.agencies.forEach(function (agency) {
        if (!keep || String(agency.id) !== keep.id) results.appendChild(option(name, agency, false));
      });
      if (!found.agencies.length) {
        status.textContent = "Không có đơn vị nào có tên chứa “" + words + "”.";
      } else if (found.more) {
        status.textContent = "Hiện " + found.agencies.length + " đơn vị đầu tiên; gõ thêm để thu hẹp.";
      } else {
        status.textContent = "Tìm thấy " + found.agencies.length + " đơn vị: chọn một.";
      }
    }

    function search() {
      var words = input.value.trim();
      if (words === asked) return;
      asked = words;
      if (!words) return;
      var separator = url.indexOf("?") < 0 ? "?" : "&";
      fetch(url + separator + "q=" + encodeURIComponent(words), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
        .then(function (found) { if (input.value.trim() === words) show(words, found); })
        .catch(function () {
          asked = "";
          status.textContent = "Chưa tìm được (mất kết nối?). Bấm “Tìm” để thử lại.";
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearTimeout(timer);
        asked = "";
        search();
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-agency-picker]"), setUp);
})();
