// The staff page's − and + buttons: they change the figure beside them; "Save" sends it. Without script the
// buttons stay hidden and the figure is typed.
document.querySelectorAll(".places-form").forEach(function (form) {
  var figure = form.querySelector(".places-figure");
  form.querySelectorAll(".step").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = (parseInt(figure.value, 10) || 0) + parseInt(button.dataset.step, 10);
      var max = figure.max === "" ? Infinity : parseInt(figure.max, 10);
      figure.value = Math.max(0, Math.min(max, value));
    });
  });
});
