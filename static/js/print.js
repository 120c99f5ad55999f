// The centre page's "Print a referral sheet": the print dialog at once. Without JavaScript the link loads the page
// again with how to print it (?print=1); the print stylesheet makes the sheet either way.
(function () {
  "use strict";
  var link = document.querySelector("[data-print]");
  if (!link || typeof window.print !== "function") {
    return;
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    window.print();
  });
})();
