// "Use my location": shown only when JavaScript runs, asks the browser only on a click, and sends a position
// rounded to two decimals (about a kilometre). The server rounds again.
(function () {
  "use strict";
  if (!("geolocation" in navigator)) {
    return;
  }
  document.querySelectorAll("[data-locate]").forEach(function (form) {
    form.hidden = false;
    var error = form.querySelector("[data-locate-error]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(2);
          form.elements.lon.value = position.coords.longitude.toFixed(2);
          form.submit();
        },
        function () {
          if (error) {
            error.hidden = false;
          }
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
  });
})();
