// Pin picker for the places pages: a tap on a map marked data-pin-picker puts the pin there and
// fills the hidden x/y fields in SWEREF 99 TM metres. Plain JavaScript; without it, the person
// describes the place in words instead.
(function () {
  "use strict";

  function init() {
    document.querySelectorAll("figure[data-pin-picker]").forEach(function (fig) {
      var svg = fig.querySelector("svg");
      var viewport = svg && svg.querySelector("g.viewport");
      var pin = svg && svg.querySelector("circle.pin");
      var fx = document.getElementById("pin-x"), fy = document.getElementById("pin-y");
      if (!viewport || !pin || !fx || !fy) return;
      var x0 = parseFloat(svg.getAttribute("data-x0"));
      var y1 = parseFloat(svg.getAttribute("data-y1"));
      var scale = parseFloat(svg.getAttribute("data-scale"));
      var status = fig.querySelector(".pin-status");
      svg.addEventListener("click", function (e) {
        var ctm = viewport.getScreenCTM();
        if (!ctm) return;
        var p = svg.createSVGPoint();
        p.x = e.clientX; p.y = e.clientY;
        var local = p.matrixTransform(ctm.inverse());
        pin.setAttribute("cx", local.x.toFixed(1));
        pin.setAttribute("cy", local.y.toFixed(1));
        pin.classList.remove("pin-unset");
        fx.value = (x0 + local.x / scale).toFixed(1);
        fy.value = (y1 - local.y / scale).toFixed(1);
        if (status) status.textContent = "Platsen är vald. Tryck igen för att flytta den.";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
