// Maps with Leaflet (vendored in /static/vendor/): the background tiles of settings (none: a blank
// background), and the app's own layers from a GeoJSON route (kommun outline, areas coloured by
// state, burglaries, place reports, households for coordinators). Drawing a new area and moving an
// area's corners use Leaflet-Geoman; a refusal from the server is drawn red where the problem is,
// with its Swedish message. Without JavaScript the pages show their SVG maps instead.
(function () {
  "use strict";

  var MAX_LABELS = 40;
  var POINT_LAYERS = {
    burglary: { name: "Inbrott senaste året", radius: 4 },
    place: { name: "Rapporterade platser", radius: 6 },
    household: { name: "Hushåll som punkter", radius: 4 }
  };

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  }

  // A feature's popup: its lines (properties.popup) and a link to its page (href, link).
  function popupOf(p) {
    var box = document.createElement("div");
    box.className = "map-popup";
    p.popup.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "p");
      el.textContent = line;
      box.appendChild(el);
    });
    if (p.href) {
      var a = document.createElement("a");
      a.href = p.href;
      a.textContent = p.link || "Öppna";
      box.appendChild(a);
    }
    return box;
  }

  function areaLayer(features, map, state) {
    return L.geoJSON(features, {
      style: function (f) {
        var p = f.properties;
        var top = / top\b/.test(p.state);
        return { className: "map-area " + p.state + (p.current ? " current" : ""), weight: p.current || top ? 3 : 1.5 };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        // The priority map's top areas carry their place ("1. Nipan") whatever the number of areas.
        if (p.tip) {
          layer.bindTooltip(p.tip, { permanent: true, direction: "center", className: "map-label map-rank" });
        } else if (features.length <= MAX_LABELS) {
          // Names written on the map while they fit (a town of hundreds of areas: on hover only).
          layer.bindTooltip(p.short ? p.name + " · " + p.short : p.name, { permanent: true, direction: "center", className: "map-label" });
        } else {
          layer.bindTooltip(p.short ? p.label + " (" + p.short + ")" : p.label, { sticky: true });
        }
        if (p.popup) {
          layer.bindPopup(popupOf(p));
        } else {
          layer.on("click", function () {
            if (!state.drawing && !p.current) window.location.href = p.href;
          });
        }
        if (p.current) state.current = layer;
      }
    });
  }

  // Names written on the map never cover one another: at each zoom, a name that would overlap one
  // already shown is hidden until the map is zoomed in far enough (the priority map's places, "1.
  // Nipan", always show, and first). Hover still names every area.
  function declutter(map) {
    var labels = Array.prototype.slice.call(map.getContainer().querySelectorAll(".leaflet-tooltip.map-label"));
    var ranked = function (el) { return el.classList.contains("map-rank") ? 0 : 1; };
    labels.sort(function (a, b) { return ranked(a) - ranked(b); });
    var shown = [];
    labels.forEach(function (label) {
      label.classList.remove("map-label-hidden");
      var r = label.getBoundingClientRect();
      var covers = shown.some(function (k) { return r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom; });
      if (covers && ranked(label)) label.classList.add("map-label-hidden");
      else shown.push(r);
    });
  }

  function pointLayer(layer, features) {
    var spec = POINT_LAYERS[layer];
    return L.geoJSON(features, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: spec.radius, className: "map-point " + layer + " " + (f.properties.state || ""), weight: 1 });
      },
      onEachFeature: function (f, l) {
        if (f.properties.title) l.bindTooltip(f.properties.title);
        if (f.properties.popup) l.bindPopup(popupOf(f.properties));
        else if (f.properties.href) l.on("click", function () { window.location.href = f.properties.href; });
      }
    });
  }

  function byLayer(data) {
    var out = {};
    data.features.forEach(function (f) {
      var name = f.properties.layer;
      (out[name] = out[name] || []).push(f);
    });
    return out;
  }

  function initMap(el) {
    el.hidden = false;
    var fallback = document.getElementById(el.getAttribute("data-fallback"));
    if (fallback) fallback.hidden = true;
    var map = L.map(el, { zoomSnap: 0.5, scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: "Zooma in", zoomOutTitle: "Zooma ut" }).addTo(map);
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map);
    }
    L.control.scale({ imperial: false }).addTo(map);
    map.setView([62.5, 16.5], 5);
    var state = { map: map, drawing: false, current: null, areas: null };
    el.mapState = state;
    var overlays = {};
    var requests = [fetchJson(el.getAttribute("data-layers"))];
    if (el.getAttribute("data-households")) requests.push(fetchJson(el.getAttribute("data-households")));
    Promise.all(requests).then(function (answers) {
      var layers = byLayer(answers[0]);
      var households = answers[1] ? answers[1].features : [];
      var outline = layers.kommun ? L.geoJSON(layers.kommun, { interactive: false, style: { className: "map-kommun", fill: false, weight: 2 } }).addTo(map) : null;
      state.areas = areaLayer(layers.area || [], map, state).addTo(map);
      overlays["Områden"] = state.areas;
      ["burglary", "place"].forEach(function (name) {
        if (!layers[name] || !layers[name].length) return;
        var title = (name === "burglary" && el.getAttribute("data-burglary-label")) || POINT_LAYERS[name].name;
        overlays[title] = pointLayer(name, layers[name]).addTo(map);
      });
      if (households.length) {
        var h = pointLayer("household", households);
        overlays[POINT_LAYERS.household.name] = h;
        if (el.hasAttribute("data-households-on")) h.addTo(map);
      }
      L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);
      // The area of the page, else the kommun's areas, else the kommun.
      var focus = state.current || (state.areas.getLayers().length ? state.areas : outline);
      if (focus && focus.getBounds && focus.getBounds().isValid()) {
        map.fitBounds(focus.getBounds(), { padding: [16, 16], animate: false, maxZoom: 17 });
      }
      declutter(map);
      map.on("zoomend", function () { declutter(map); });
      el.setAttribute("data-ready", "1");
      el.dispatchEvent(new CustomEvent("map:ready", { detail: state }));
    }).catch(function () {
      var p = document.createElement("p");
      p.className = "notice error";
      p.textContent = "Kartans lager kunde inte hämtas. Ladda om sidan för att försöka igen.";
      el.parentNode.insertBefore(p, el);
    });
  }

  // --- drawing ---------------------------------------------------------------------------------

  function problemLayer(problem) {
    var layer = L.featureGroup();
    (problem.errors || []).forEach(function (e) {
      if (!e.geometry) return;
      L.geoJSON(e.geometry, {
        style: { className: "map-problem", weight: 3 },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 10, className: "map-problem", weight: 3 }); }
      }).bindTooltip(e.message, { permanent: true, direction: "top", className: "map-problem-text" }).addTo(layer);
    });
    return layer;
  }

  function showProblem(panel, state, problem) {
    var box = panel.querySelector(".draw-problem");
    box.textContent = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "Det gick inte att spara: ";
    p.appendChild(strong);
    p.appendChild(document.createTextNode(problem.detail || "okänt fel"));
    box.appendChild(p);
    var fields = (problem.errors || []).filter(function (e) { return !e.geometry && e.message !== problem.detail; });
    if (fields.length) {
      var ul = document.createElement("ul");
      fields.forEach(function (e) { var li = document.createElement("li"); li.textContent = e.message; ul.appendChild(li); });
      box.appendChild(ul);
    }
    box.hidden = false;
    if (state.problem) state.map.removeLayer(state.problem);
    state.problem = problemLayer(problem).addTo(state.map);
    if (state.problem.getLayers().length) {
      state.map.fitBounds(state.problem.getBounds().pad(1.5), { maxZoom: 17, animate: false });
    }
  }

  function clearProblem(panel, state) {
    var box = panel.querySelector(".draw-problem");
    box.hidden = true;
    box.textContent = "";
    if (state.problem) { state.map.removeLayer(state.problem); state.problem = null; }
  }

  function save(panel, state, form, shape) {
    var field = panel.getAttribute("data-field") || "geometry";
    form.querySelector("input[name=" + field + "]").value = JSON.stringify(shape.toGeoJSON().geometry);
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(panel.getAttribute("data-action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (answer) {
      button.disabled = false;
      if (answer.ok) { window.location.href = answer.body.href; return; }
      showProblem(panel, state, answer.body);
    }).catch(function () {
      button.disabled = false;
      showProblem(panel, state, { detail: "Servern svarade inte. Kontrollera anslutningen och försök igen." });
    });
  }

  function initDrawNew(panel, state) {
    var map = state.map;
    var start = panel.querySelector("button[data-start]");
    var form = panel.querySelector("form");
    var status = panel.querySelector(".draw-status");
    var shape = null;
    start.addEventListener("click", function () {
      if (shape) { map.removeLayer(shape); shape = null; }
      clearProblem(panel, state);
      state.drawing = true;
      form.hidden = true;
      map.pm.enableDraw("Polygon", { allowSelfIntersection: true, snappable: true });
      status.textContent = "Klicka ut områdets hörn på kartan. Klicka på det första hörnet för att stänga området.";
      map.getContainer().scrollIntoView({ block: "nearest" });
    });
    map.on("pm:create", function (e) {
      if (e.shape !== "Polygon") return;
      shape = e.layer;
      shape.setStyle({ className: "map-drawn" });
      shape.pm.enable({ allowSelfIntersection: true });
      shape.on("pm:edit", function () { clearProblem(panel, state); });
      form.hidden = false;
      status.textContent = "Området är ritat. Dra i hörnen för att flytta dem, skriv namnet och spara.";
      var name = form.querySelector("input[name=name]");
      if (name) name.focus();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (shape) save(panel, state, form, shape);
    });
  }

  function initEdit(panel, state) {
    var shape = state.current;
    var map = state.map;
    var start = panel.querySelector("button[data-start]");
    var form = panel.querySelector("form");
    var status = panel.querySelector(".draw-status");
    if (!shape) return;
    start.addEventListener("click", function () {
      state.drawing = true;
      shape.pm.enable({ allowSelfIntersection: true });
      shape.on("pm:edit", function () { clearProblem(panel, state); });
      start.hidden = true;
      form.hidden = false;
      map.getContainer().scrollIntoView({ block: "nearest" });
      status.textContent = "Dra i hörnen för att flytta dem; dra i en mittpunkt för att lägga till ett hörn, högerklicka på ett hörn för att ta bort det. Spara när gränsen är klar.";
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      save(panel, state, form, shape);
    });
  }

  function initSplit(panel, state) {
    var map = state.map;
    var start = panel.querySelector("button[data-start]");
    var form = panel.querySelector("form");
    var status = panel.querySelector(".draw-status");
    var line = null;
    start.addEventListener("click", function () {
      if (line) { map.removeLayer(line); line = null; }
      clearProblem(panel, state);
      state.drawing = true;
      form.hidden = true;
      map.pm.enableDraw("Line", { snappable: false });
      status.textContent = "Klicka ut linjen tvärs över området. Klicka på den sista punkten igen för att avsluta.";
      map.getContainer().scrollIntoView({ block: "nearest" });
    });
    map.on("pm:create", function (e) {
      if (e.shape !== "Line") return;
      line = e.layer;
      line.pm.enable();
      line.on("pm:edit", function () { clearProblem(panel, state); });
      form.hidden = false;
      status.textContent = "Linjen är ritad. Dra i punkterna för att flytta den, skriv den nya delens namn och dela.";
      var name = form.querySelector("input[name=name]");
      if (name) name.focus();
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (line) save(panel, state, form, line);
    });
  }

  function initDrawing(panel) {
    var el = document.getElementById(panel.getAttribute("data-map"));
    if (!el || !window.L || !L.PM) return;
    el.addEventListener("map:ready", function (e) {
      var state = e.detail;
      state.map.pm.setLang("sv");
      panel.hidden = false;
      var kind = panel.getAttribute("data-draw");
      if (kind === "new") initDrawNew(panel, state);
      else if (kind === "split") initSplit(panel, state);
      else initEdit(panel, state);
    });
  }

  function init() {
    if (!window.L) return;
    document.querySelectorAll("[data-draw]").forEach(initDrawing);
    document.querySelectorAll("div.live-map[data-layers]").forEach(initMap);
  }

  document.addEventListener("DOMContentLoaded", init);
})();
