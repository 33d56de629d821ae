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

  function init(root) {
    initSortable(root);
    initUploads(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
