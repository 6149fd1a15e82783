// The thank-you page and the reporter's page say whether the photo shows a face fit to match: the
// server's answer replaces "checking" as soon as the worker has looked (every 2 s, for 2 minutes at most).
// Without JavaScript the page links to the reporter's own page, which shows the answer.
(function () {
  "use strict";
  var tries = 0;
  function poll() {
    var box = document.getElementById("face-check");
    var url = box && box.getAttribute("data-poll");
    if (!url || tries++ > 60) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("face-check");
        if (fresh) { box.replaceWith(fresh); }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
