// The reader's time zone: kept in a cookie so pages show times in it, and sent with forms so the times
// typed are read in it (pages fall back to the site's zone without JavaScript, and say which zone).
(function () {
  // with the browser's offset now: a zone this server does not know yet (its list older than the browser's) is
  // read at that offset, never refused for a field the reader cannot see
  Array.prototype.forEach.call(document.querySelectorAll("input[name=tz_offset]"), function (el) {
    el.value = new Date().getTimezoneOffset();
  });
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  if (!/^[A-Za-z0-9_\/+\-]+$/.test(zone)) return;  // IANA names: safe in a cookie as they are
  if (("; " + document.cookie + ";").indexOf("; tz=" + zone + ";") < 0) {
    document.cookie = "tz=" + zone + ";path=/;max-age=31536000;samesite=lax";
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[name=tz]"), function (el) { el.value = zone; });
  // Times typed are now read in this zone (the field above): the label next to them names it, in the
  // page's language, even on a first visit (the page was written in the cookie's zone, or the site's)
  var name = "";
  try {
    var parts = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
                                        { timeZone: zone, timeZoneName: "long" }).formatToParts(new Date());
    parts.forEach(function (part) { if (part.type === "timeZoneName") name = part.value; });
  } catch (e) { name = ""; }
  if (!name) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-zone]"), function (el) {
    el.textContent = el.getAttribute("data-zone").replace("{zone}", name);
  });
})();
// "Back to the form" on an error page: the browser's own back keeps what was typed (the link's address,
// the form's page, is the fallback without JavaScript)
Array.prototype.forEach.call(document.querySelectorAll("a[data-back]"), function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
  });
});
// A form's draft (snapshot.js) is removed only once the server accepted the form: the page after a
// sending without that form again (an error page shows the form again, and the draft stays)
(function () {
  try {
    var sent = sessionStorage.getItem("reunite-draft-sent");
    if (!sent) return;
    var form = document.querySelector("form[data-draft]");
    if (!form || "reunite-draft-" + form.dataset.draft !== sent) localStorage.removeItem(sent);
    sessionStorage.removeItem("reunite-draft-sent");
  } catch (e) { /* storage refused: drafts are not kept either */ }
})();
