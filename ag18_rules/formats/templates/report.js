(function () {
  "use strict";
  document.querySelectorAll("[data-filter]").forEach(function (box) {
    box.addEventListener("change", function () {
      var sev = box.getAttribute("data-filter");
      document.querySelectorAll(".finding[data-severity='" + sev + "']").forEach(function (el) {
        el.hidden = !box.checked;
      });
    });
  });
  document.querySelectorAll("[data-action='print']").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
