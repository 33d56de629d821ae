// Grannsamverkan pages: sortable tables and upload progress. Plain JavaScript, no libraries;
// every page works without it.
(function () {
  "use strict";

  function cellValue(row, index, type) {
    var cell = row.cells[index];
    if (!cell) return type === "number" ? -Infinity : "";
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    if (type === "number") {
      var n = parseFloat(String(raw).replace(",", "."));
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLocaleLowerCase("sv");
  }

  function sortTable(table, th) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.indexOf(th);
    var type = th.getAttribute("data-type") || "text";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator("sv");
    rows.sort(function (a, b) {
      var x = cellValue(a, index, type), y = cellValue(b, index, type);
      var c = type === "number" ? x - y : collator.compare(x, y);
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function initSortable(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      if (!table.tHead || table.dataset.sortReady) return;
      table.dataset.sortReady = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        if (!th.hasAttribute("data-type")) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        button.addEventListener("click", function () { sortTable(table, th); });
      });
    });
  }

  // Upload with a progress bar; the answer (the same page, with the result or the errors)
  // replaces <main>. Without JavaScript the form posts normally.
  function initUploads(root) {
    root.querySelectorAll("form[data-upload]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.FormData || !window.XMLHttpRequest) return;
        event.preventDefault();
        var section = form.closest("section");
        var box = section.querySelector(".progress");
        var bar = box.querySelector("progress");
        var text = box.querySelector(".progress-text");
        var button = form.querySelector("button[type=submit]");
        box.hidden = false;
        bar.value = 0;
        text.textContent = "Laddar upp …";
        button.disabled = true;
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) {
            var pct = Math.round(100 * e.loaded / e.total);
            bar.value = pct;
            text.textContent = "Laddar upp … " + pct + " %";
          }
        });
        xhr.upload.addEventListener("load", function () {
          bar.value = 100;
          text.textContent = "Importerar …";
        });
        xhr.addEventListener("load", function () {
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var fresh = doc.querySelector("main");
          if (!fresh) { document.location.reload(); return; }
          var main = document.querySelector("main");
          main.replaceWith(fresh);
          init(fresh);
          var target = fresh.querySelector("#" + section.id + " .outcome");
          if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
        });
        xhr.addEventListener("error", function () {
          button.disabled = false;
          text.textContent = "Uppladdningen misslyckades. Kontrollera anslutningen och försök igen.";
        });
        xhr.send(new FormData(form));
      });
    });
  }


  // Zoom and pan on maps marked data-zoom: buttons (keyboard), dragging, arrow keys. Markers,
  // labels and lines keep their size on screen (--k scales them back).
  function initZoom(root) {
    root.querySelectorAll("figure.map[data-zoom]").forEach(function (fig) {
      var svg = fig.querySelector("svg");
      if (!svg || !svg.querySelector("g.viewport") || fig.dataset.zoomReady) return;
      fig.dataset.zoomReady = "1";
      var b = svg.viewBox.baseVal;
      var full = { x: b.x, y: b.y, w: b.width, h: b.height };
      var view = { x: full.x, y: full.y, w: full.w, h: full.h };
      var status = document.createElement("span");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");

      function clamp() {
        view.x = Math.min(Math.max(view.x, full.x - view.w / 2), full.x + full.w - view.w / 2);
        view.y = Math.min(Math.max(view.y, full.y - view.h / 2), full.y + full.h - view.h / 2);
      }
      var viewport = svg.querySelector("g.viewport");
      var scaleBar = svg.querySelector("g.scale-bar");
      var scaleText = scaleBar && scaleBar.querySelector("text");
      var metres = scaleBar ? parseFloat(scaleBar.getAttribute("data-metres")) : 0;
      function distance(m) {
        return m >= 1000 ? (Math.round(m / 100) / 10).toLocaleString("sv-SE") + " km" : Math.round(m) + " m";
      }
      function apply() {
        clamp();
        var s = full.w / view.w;
        viewport.setAttribute("transform", "translate(" + (full.x - view.x * s) + " " + (full.y - view.y * s) + ") scale(" + s + ")");
        svg.style.setProperty("--k", String(1 / s));
        if (scaleText) scaleText.textContent = distance(metres / s);
        status.textContent = "Förstoring " + Math.round(s) + " gånger";
      }
      function zoom(factor, cx, cy) {
        if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
        var w = Math.min(full.w, Math.max(full.w / 64, view.w / factor));
        var f = w / view.w;
        view.x = cx - (cx - view.x) * f;
        view.y = cy - (cy - view.y) * f;
        view.w = w;
        view.h = w * full.h / full.w;
        apply();
      }
      function pan(dx, dy) { view.x += dx; view.y += dy; apply(); }

      var controls = document.createElement("div");
      controls.className = "map-controls";
      [["+", "Zooma in", function () { zoom(2); }],
       ["−", "Zooma ut", function () { zoom(0.5); }],
       ["⟲", "Visa hela kartan", function () { view = { x: full.x, y: full.y, w: full.w, h: full.h }; apply(); }]
      ].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = spec[0];
        button.setAttribute("aria-label", spec[1]);
        button.title = spec[1];
        button.addEventListener("click", spec[2]);
        controls.appendChild(button);
      });
      var hint = document.createElement("span");
      hint.className = "help";
      hint.textContent = "Dra för att flytta kartan, piltangenter när kartan har fokus.";
      controls.appendChild(hint);
      controls.appendChild(status);
      fig.insertBefore(controls, svg);

      var drag = null, moved = false;
      svg.addEventListener("pointerdown", function (e) {
        drag = { x: e.clientX, y: e.clientY };
        moved = false;
      });
      svg.addEventListener("pointermove", function (e) {
        if (!drag) return;
        var scale = view.w / svg.getBoundingClientRect().width;
        var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (!moved && Math.abs(dx) + Math.abs(dy) < 5) return;
        if (!moved) { svg.setPointerCapture(e.pointerId); moved = true; }
        drag = { x: e.clientX, y: e.clientY };
        pan(-dx * scale, -dy * scale);
      });
      svg.addEventListener("pointerup", function () { drag = null; });
      svg.addEventListener("pointercancel", function () { drag = null; });
      svg.addEventListener("click", function (e) { if (moved) { e.preventDefault(); e.stopPropagation(); moved = false; } }, true);
      svg.addEventListener("dblclick", function (e) {
        var r = svg.getBoundingClientRect();
        zoom(2, view.x + (e.clientX - r.left) / r.width * view.w, view.y + (e.clientY - r.top) / r.height * view.h);
        e.preventDefault();
      });
      if (!svg.hasAttribute("tabindex")) svg.setAttribute("tabindex", "0");
      svg.addEventListener("keydown", function (e) {
        var step = view.w / 8;
        var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        if (moves[e.key]) { pan(moves[e.key][0], moves[e.key][1]); e.preventDefault(); }
        else if (e.key === "+") { zoom(2); e.preventDefault(); }
        else if (e.key === "-") { zoom(0.5); e.preventDefault(); }
      });
    });
  }

  // "Skriv ut" buttons (the page's own print stylesheet leaves only the list on paper).
  function initPrint(root) {
    root.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Forms that ask before they act (dissolving a group): the server asks again without script.
  function initConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  function init(root) {
    initPrint(root);
    initConfirm(root);
    initSortable(root);
    initUploads(root);
    initZoom(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
