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

  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) {
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
