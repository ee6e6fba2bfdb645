// The command center's live map: open incidents, teams and shelter points, refreshed
// every few seconds from map.json. With no tile server configured (MAP_TILE_URL, e.g. the
// national Tianditu service) it draws the points on a plain background with the names of
// the districts and counties around them (GB/T 2260 seats, from our own data) and a scale
// bar. No boundary lines are drawn from unofficial data: see docs/maps.md.
(function () {
  "use strict";
  var el = document.getElementById("live-map");
  if (!el || !window.L) { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: !!config.tiles });
  if (config.tiles) { L.tileLayer(config.tiles, { maxZoom: 19 }).addTo(map); }
  map.setView(config.center || [31.3, 120.6], config.zoom || 11);
  L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
  var places = L.layerGroup().addTo(map);
  var layer = L.layerGroup().addTo(map);
  var placed = false;
  var colours = { received: "#d63384", dispatched: "#fd7e14", on_scene: "#198754" };
  var fitted = false;

  // Labels come from callers, webhooks and staff: Leaflet reads a string tooltip as HTML,
  // so every label goes in as a text node, never as markup.
  function tip(text) {
    var span = document.createElement("span");
    span.textContent = String(text);
    return span;
  }

  // A division's name at its seat, as plain text (DOM properties only).
  function label(place) {
    var icon = L.divIcon({ className: "map-place map-place-" + place.level, html: "", iconSize: null });
    var marker = L.marker(place.point, { icon: icon, interactive: false, keyboard: false });
    marker.on("add", function () {
      var span = document.createElement("span");
      span.textContent = place.name;
      marker.getElement().replaceChildren(span);
    });
    return marker;
  }

  function draw(data) {
    if (!placed && !config.tiles) {
      (data.places || []).forEach(function (p) { label(p).addTo(places); });
      placed = true;
    }
    layer.clearLayers();
    var bounds = [];
    data.incidents.forEach(function (i) {
      var m = L.circleMarker(i.point, {
        radius: i.overdue ? 11 : 8, color: i.overdue ? "#dc3545" : "#333", weight: i.overdue ? 3 : 1,
        fillColor: colours[i.status] || "#6c757d", fillOpacity: 0.9, className: "map-incident"
      }).bindTooltip(tip(i.label + (i.team ? " · " + i.team : "")));
      m.on("click", function () { window.location = el.dataset.incidentUrl.replace("0", i.id); });
      m.addTo(layer); bounds.push(i.point);
    });
    data.teams.forEach(function (t) {
      L.circleMarker(t.point, {
        radius: 6, color: "#0d6efd", fillColor: t.status === "available" ? "#0d6efd" : "#adb5bd",
        fillOpacity: 1, className: "map-team"
      }).bindTooltip(tip(t.label)).addTo(layer);
      bounds.push(t.point);
    });
    data.shelters.forEach(function (s) {
      L.circleMarker(s.point, {
        radius: 7, color: "#6f42c1", fillColor: "#fff", fillOpacity: 1, className: "map-shelter"
      }).bindTooltip(tip(s.label + " (" + s.capacity + ")")).addTo(layer);
      bounds.push(s.point);
    });
    el.dataset.incidents = String(data.incidents.length);
    el.dataset.teams = String(data.teams.length);
    var unplaced = document.getElementById("map-unplaced");
    if (unplaced) {
      unplaced.hidden = !data.unplaced;
      unplaced.querySelector("[data-count]").textContent = String(data.unplaced || 0);
    }
    if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 }); fitted = true; }
  }

  function refresh() {
    // The place names are asked for once, by a map without tiles.
    var url = el.dataset.source + (!placed && !config.tiles ? "?places=1" : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  refresh();
  setInterval(refresh, Number(el.dataset.every || 10000));
})();
