// The report, registration and alert forms: the place (the phone's location, a map pin), a draft kept, the
// photos chosen kept when the server sends a form back, and the summary of its problems focused.
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

  // Files put in a file field, as if chosen there (its "change" fired); false when this browser cannot
  function putFiles(input, files) {
    if (!window.DataTransfer) return false;
    try {
      var list = new DataTransfer();
      files.forEach(function (f) { list.items.add(f); });
      input.files = list.files;
    } catch (err) { return false; }
    input.dispatchEvent(new Event("change"));
    return true;
  }
  // A form the server sent back (422 a field to correct, 429 the hourly limit) gets the photos chosen again:
  // a browser cannot put them in the page it answered with, this script can (else the page says to choose
  // them again). ``chosen``: the files of each of ``inputs``, in order. Not into a field the server refused
  // (its photo was what was wrong: another is chosen). Said beside them (#photos-again: every photo back, its
  // data-kept; some, its data-some); true when every one is back.
  function chooseAgain(inputs, chosen) {
    var all = true, some = false, again = document.getElementById("photos-again");
    inputs.forEach(function (input, i) {
      var files = chosen[i] || [];
      if (!files.length) return;
      var back = input.getAttribute("aria-invalid") !== "true" && !input.closest(".invalid") && putFiles(input, files);
      all = all && back; some = some || back;
    });
    var words = again && (all ? again.dataset.kept : some ? again.dataset.some : "");
    if (words && some) again.textContent = words;
    return all && some;
  }

  // The page the server answered a form with, in place of this one (no further request), at its address
  function showPage(html, url) {
    document.open(); document.write(html); document.close();
    if (url && url !== location.href) history.replaceState(null, "", url);
  }

  // A form with photos (data-keep-photos) sent by this script: the form the server sends back keeps them
  // (``chooseAgain``); accepted, the page it leads to is opened as the browser would. Without fetch, the
  // browser sends it, and the page sent back says to choose the photos again.
  function keepPhotos(form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    var sent = window.reuniteChosenPhotos;
    window.reuniteChosenPhotos = null;
    if (sent) chooseAgain(inputs, sent);
    if (!window.fetch || !window.DataTransfer) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var chosen = inputs.map(function (input) { return Array.prototype.slice.call(input.files); });
      var button = form.querySelector("[type=submit]"), status = document.getElementById("draft-status");
      if (button) button.disabled = true;
      if (status && form.dataset.sending) status.textContent = form.dataset.sending;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"}).then(function (r) {
        if (r.ok && r.redirected) { location.assign(r.url); return; }
        return r.text().then(function (html) { window.reuniteChosenPhotos = chosen; showPage(html, r.url); });
      }).catch(function () { if (button) button.disabled = false; form.submit(); });  // sent by the browser
    });
  }

  // A refused form's summary of its problems (_macros.error_summary) read first: focused; each of its links
  // takes the reader to that field, focused, its label in view
  function focusProblems(summary) {
    summary.addEventListener("click", function (e) {
      var link = e.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      e.preventDefault();
      var details = field.closest("details");
      if (details) details.open = true;
      (field.closest("label") || field).scrollIntoView();
      field.focus({preventScroll: true});
    });
    summary.focus();
  }

  var locate = document.getElementById("locate");
  if (locate) locate.addEventListener("click", function () { useLocation(locate); });
  var pick = document.getElementById("pick"), box = document.getElementById("map");
  if (pick && box) pick.addEventListener("click", function () { pickOnMap(box); }, {once: true});
  var draft = document.querySelector("form[data-draft]");
  if (draft && window.localStorage) keepDraft(draft);
  var keeping = document.querySelector("form[data-keep-photos]");
  if (keeping) keepPhotos(keeping);
  var summary = document.querySelector(".error-summary");
  if (summary) focusProblems(summary);
  // for static/photos.js, snapshot.js and kept.js
  return {sayPlace: say, putFiles: putFiles, chooseAgain: chooseAgain, showPage: showPage};
})();
