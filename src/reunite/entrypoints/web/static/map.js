// One map for every page: tiles and credit from the server's settings (REUNITE_MAP_TILES_URL,
// REUNITE_MAP_ATTRIBUTION), controls in the page's language, and a word when tiles cannot load.
window.reuniteMap = function (box, center, zoom) {
  var d = box.dataset;
  var map = L.map(box, {zoomControl: false}).setView(center, zoom);
  L.control.zoom({zoomInTitle: d.zoomIn, zoomOutTitle: d.zoomOut}).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" lang="en">Leaflet</a>');
  var note = document.getElementById("map-note");
  function failed() { if (note && note.hidden) { note.textContent = d.failed; note.hidden = false; } }
  if (d.tiles) {
    var errors = 0, loaded = 0;
    var layer = L.tileLayer(d.tiles, {maxZoom: 18, attribution: d.attribution});
    layer.on("tileerror", function () { errors++; if (!loaded && errors >= 2) failed(); });
    layer.on("tileload", function () { loaded++; if (note) note.hidden = true; });
    layer.addTo(map);
  } else failed();
  return map;
};
