// The report, registration and alert forms: the place (the phone's location, a map pin), a draft kept.
var reuniteForms = (function () {
  document.documentElement.classList.add("js");
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var placeStatus = document.getElementById("place-status");
  function say(text) { if (placeStatus) placeStatus.textContent = text; }
  function setPlace(a, b) { lat.value = a.toFixed(6); lon.value = b.toFixed(6); }

  // "Use my location": said in words (how near, or why there is none)
  function useLocation(locate) {
    var d = locate.dataset;
    if (!navigator.geolocation) { say(d.unavailable || ""); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      setPlace(p.coords.latitude, p.coords.longitude);
      if (d.found) say(d.found.replace("{m}", Math.round(p.coords.accuracy)));
      if (window.pinMap) window.pinMap(p.coords.latitude, p.coords.longitude);
    }, function (err) {
      say(err.code === 1 ? (d.denied || "") : (d.unavailable || ""));
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }

  // "Pick on a map": Leaflet loaded only then
  function pickOnMap(box) {
    box.hidden = false;
    var css = document.createElement("link"); css.rel = "stylesheet"; css.href = "/vendor/leaflet/leaflet.css";
    document.head.appendChild(css);
    var js = document.createElement("script"); js.src = "/vendor/leaflet/leaflet.js";
    js.onload = function () {
      var start = lat.value ? [+lat.value, +lon.value] : [35, 105];
      var map = reuniteMap(box, start, lat.value ? 14 : 4), marker = null;
      window.pinMap = function (a, b) {
        if (marker) marker.setLatLng([a, b]); else marker = L.marker([a, b]).addTo(map);
        map.setView([a, b], Math.max(map.getZoom(), 14));
      };
      if (lat.value) window.pinMap(+lat.value, +lon.value);
      map.on("click", function (e) { setPlace(e.latlng.lat, e.latlng.lng); window.pinMap(e.latlng.lat, e.latlng.lng); });
    };
    document.head.appendChild(js);
  }

  // what is typed, kept on the device and given back on a later visit
  function keepDraft(draft) {
    var key = "reunite-draft-" + draft.dataset.draft, status = document.getElementById("draft-status");
    var saved = JSON.parse(localStorage.getItem(key) || "{}"), seen = {};
    // every field of a repeated name (a date for each photo) kept in order, blanks too
    var kept = function (el) { return el.name && el.type !== "file" && el.type !== "hidden"; };
    Array.prototype.forEach.call(draft.elements, function (el) {
      if (!kept(el)) return;
      var at = seen[el.name] = (seen[el.name] || 0) + 1, values = [].concat(saved[el.name] || []);
      if (values[at - 1] && !el.value) el.value = values[at - 1];
    });
    draft.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(draft.elements, function (el) {
        if (kept(el)) (data[el.name] = data[el.name] || []).push(el.value);
      });
      localStorage.setItem(key, JSON.stringify(data));
      if (status) status.textContent = status.dataset.saved || "✓";
    });
    // removed once the server has accepted it (tz.js, on the next page): not when an error shows the form again
    draft.addEventListener("submit", function () { sessionStorage.setItem("reunite-draft-sent", key); });
  }

  var locate = document.getElementById("locate");
  if (locate) locate.addEventListener("click", function () { useLocation(locate); });
  var pick = document.getElementById("pick"), box = document.getElementById("map");
  if (pick && box) pick.addEventListener("click", function () { pickOnMap(box); }, {once: true});
  var draft = document.querySelector("form[data-draft]");
  if (draft && window.localStorage) keepDraft(draft);
  return {sayPlace: say};  // for static/photos.js
})();
