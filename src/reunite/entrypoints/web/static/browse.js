// The sightings map: clustered markers for the page's sightings; a click sets the region filter.
(function () {
  var box = document.getElementById("map");
  if (!box || !window.L || !window.reuniteMap) return;
  var points = JSON.parse(box.dataset.points || "[]");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var map = reuniteMap(box, lat.value ? [+lat.value, +lon.value] : [35, 105], lat.value ? 9 : 4);
  var cluster = L.markerClusterGroup();
  points.forEach(function (p) {
    cluster.addLayer(L.marker([p.lat, p.lon]).on("click", function () { location.href = "/sightings/" + p.id; }));
  });
  map.addLayer(cluster);
  if (points.length && !lat.value) map.fitBounds(cluster.getBounds(), {maxZoom: 12});
  var pin = null;
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(5); lon.value = e.latlng.lng.toFixed(5);
    if (pin) pin.setLatLng(e.latlng); else pin = L.circleMarker(e.latlng).addTo(map);
  });
})();
