// Progressive enhancement for the report and registration forms: local time, location, map pin, draft.
(function () {
  document.documentElement.classList.add("js");
  var tz = document.getElementById("tz_offset");
  if (tz) tz.value = new Date().getTimezoneOffset();
  var when = document.getElementById("seen_at");
  if (when && !when.value) {
    var now = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
    when.value = now.toISOString().slice(0, 16);
  }
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  function setPlace(a, b) { lat.value = a.toFixed(6); lon.value = b.toFixed(6); }
  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) locate.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (p) { setPlace(p.coords.latitude, p.coords.longitude); });
  });
  var pick = document.getElementById("pick"), box = document.getElementById("map");
  if (pick && box) pick.addEventListener("click", function () {
    box.hidden = false;
    var css = document.createElement("link"); css.rel = "stylesheet"; css.href = "/vendor/leaflet/leaflet.css";
    document.head.appendChild(css);
    var js = document.createElement("script"); js.src = "/vendor/leaflet/leaflet.js";
    js.onload = function () {
      var start = lat.value ? [+lat.value, +lon.value] : [35, 105];
      var map = L.map(box).setView(start, lat.value ? 12 : 4), marker = null;
      if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 18, attribution: "© OpenStreetMap"}).addTo(map);
      map.on("click", function (e) {
        setPlace(e.latlng.lat, e.latlng.lng);
        if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
      });
    };
    document.head.appendChild(js);
  }, {once: true});
  var form = document.querySelector("form[data-draft]");
  if (form && window.localStorage) {
    var key = "reunite-draft-" + form.dataset.draft, status = document.getElementById("draft-status");
    var saved = JSON.parse(localStorage.getItem(key) || "{}");
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "file" && el.type !== "hidden" && saved[el.name] && !el.value) el.value = saved[el.name];
    });
    form.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.type !== "file" && el.type !== "hidden" && el.value) data[el.name] = el.value;
      });
      localStorage.setItem(key, JSON.stringify(data));
      if (status) status.textContent = status.dataset.saved || "✓";
    });
    form.addEventListener("submit", function () { localStorage.removeItem(key); });
  }
  // Anonymous reports: solve the server's small proof-of-work puzzle while the form is filled in.
  var challenge = document.getElementById("pow_challenge"), nonce = document.getElementById("pow_nonce");
  if (challenge && nonce && window.crypto && crypto.subtle && window.TextEncoder) {
    var bits = +challenge.value.split(".")[1], enc = new TextEncoder(), solved = null;
    var zeros = function (b) {
      var n = 0;
      for (var i = 0; i < b.length; i++) { if (b[i] === 0) { n += 8; continue; } return n + Math.clz32(b[i]) - 24; }
      return n;
    };
    solved = (async function () {
      for (var i = 0; ; i++) {
        var d = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(challenge.value + ":" + i)));
        if (zeros(d) >= bits) { nonce.value = String(i); return; }
      }
    })();
    var report = document.getElementById("snapshot");
    report.addEventListener("submit", function (e) {
      if (nonce.value) return;
      e.preventDefault();
      var sent = false, send = function () { if (!sent) { sent = true; report.submit(); } };
      solved.then(send);
      setTimeout(send, 15000);
    });
  }
})();
