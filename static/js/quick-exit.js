// Quick exit (DESIGN.md section 6). Without JavaScript the button is a plain link to /exit/. With it, the page is
// replaced (location.replace), so Back does not return here, and pressing Shift three times does the same.
(function () {
  "use strict";
  var button = document.querySelector("[data-quick-exit]");
  if (!button) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.hidden = true;
    window.location.replace(button.href);
  }
  button.addEventListener("click", leave);

  // Shift pressed alone three times: any other key in between starts the count again, so that typing "+7 (727)"
  // in a form (Shift for "+", "(" and ")") never leaves the page.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      presses = [];
      return;
    }
    if (event.repeat) {
      return;
    }
    var now = Date.now();
    presses = presses.filter(function (time) {
      return now - time < 1500;
    });
    presses.push(now);
    if (presses.length >= 3) {
      leave();
    }
  });
})();
