// The report form (/report): proof-of-work, photos (photos.js), progress, the answer shown without a
// further request, the report kept without signal (kept.js); after queue.js, forms.js, exif.js and those.
(function () {
  var form = document.getElementById("snapshot");
  if (!form) return;
  var send = document.getElementById("send"), clientKey = document.getElementById("client_key");
  var input = document.getElementById("photos");
  var solved = startProof();
  clientKey.value = newKey();
  var progress = progressBar(document.getElementById("progress"));
  registerServiceWorker();
  var kept = reuniteKept(form, {progress: progress, free: free, failed: failed, answered: replacePage, photos: input});
  if (window.reuniteQueue) kept.start();
  var photos = reunitePhotos.watch(input, mark);
  var chosen = [], refusedWith = window.reuniteChosenPhotos;  // the photos of a form the server sent back
  window.reuniteChosenPhotos = null;
  // read again (their time, shrunk); the hourly limit's words no longer "choose the photo again"
  if (refusedWith && reuniteForms.chooseAgain([input], refusedWith)) {
    var busy = document.getElementById("busy");
    if (busy && busy.dataset.kept) busy.textContent = busy.dataset.kept;
  }
  form.addEventListener("submit", submit);

  function submit(e) {
    e.preventDefault();
    if (!form.reportValidity()) return;
    kept.forgetRestored();
    chosen = Array.prototype.slice.call(input.files);
    send.disabled = true;
    progress.show(form.dataset.preparing);
    Promise.all([photos.ready(), Promise.race([solved, wait(15000)])]).then(function () { upload(formData()); });
  }
  function formData() {
    var data = new FormData(form), shrunk = photos.shrunk();
    if (shrunk.length) {
      data.delete("photos");
      shrunk.forEach(function (f) { data.append("photos", f.blob, f.name); });
      // every photo re-encoded here (so without its hidden data): the thank-you page shows these
      // copies, and the server need not send its own back over a slow network
      if (shrunk.every(function (f) { return f.clean; })) data.set("copies", "phone");
    }
    return data;
  }

  var fresh = 0;  // the fresh puzzles this report was sent again with
  function freshProof(data) {
    fetch("/report/challenge", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (c) {
      return reuniteQueue.solve(c).then(function (n) { data.set("pow_challenge", c); data.set("pow_nonce", n); upload(data); });
    }).catch(function () { keep(data); });
  }
  function upload(data) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) progress.show(form.dataset.sending + " " + Math.round(100 * e.loaded / e.total) + "%",
                                            Math.round(100 * e.loaded / e.total));
    };
    xhr.upload.onload = function () { mark("uploaded"); };
    xhr.onload = function () { answered(xhr, data); };
    xhr.onerror = function () { keep(data); };
    progress.show(form.dataset.sending, 0);
    mark("upload");
    xhr.send(data);
  }
  function answered(xhr, data) {
    mark("answered");
    var wait = +xhr.getResponseHeader("Retry-After") || 0;
    // the site cannot take reports just now (503: its photo store or database down): kept on the phone and
    // sent by itself when the server said, as the offline queue sends a report refused so (queue.js)
    if (xhr.status === 503 && window.reuniteQueue && window.indexedDB) {
      kept.keep(data, clientKey.value, {reason: "server", next: Date.now() + (wait || 30) * 1000, otherwise: function () {
        handBack(xhr, data);
      }});
      return;
    }
    if (xhr.status >= 500 && xhr.status !== 503) { failed(); return; }
    // a fresh puzzle is asked for and solved, and the report sent again (a few times at most): when the
    // report went without one (not solved within 15 s), or when the answer is "at once" (its puzzle was
    // used already, as a page kept for use without signal may carry, or is easier than the address now
    // needs: more reports came from it since the page was served)
    if (xhr.status === 429 && data.has("pow_challenge") && fresh < 3 && (!data.get("pow_nonce") || wait <= 1)) {
      fresh += 1; freshProof(data); return;
    }
    // an anonymous report past the limit of reports from this network: kept on the phone and sent by
    // itself when the server said (Retry-After), never only handed back (an account's own limit: the form)
    if (xhr.status === 429 && wait > 1 && data.has("pow_challenge") && window.reuniteQueue && window.indexedDB) {
      kept.keep(data, clientKey.value, {reason: "limit", next: Date.now() + wait * 1000, otherwise: function () {
        handBack(xhr, data);
      }});
      return;
    }
    handBack(xhr, data);
  }
  function handBack(xhr, data) {
    // the form again (422 a field to correct, 429 the hourly limit, …): for it to keep the photos chosen
    if (xhr.status >= 400) window.reuniteChosenPhotos = [chosen];
    replacePage(xhr.responseText, xhr.responseURL, blobsOf(data));
  }
  function keep(data) { kept.keep(data, clientKey.value); }  // no signal: kept on the phone
  function free() { send.disabled = false; clientKey.value = newKey(); }  // the form free for another report
  function failed() { send.disabled = false; progress.show(form.dataset.failed); }

  function progressBar(bar) {
    var meter = bar.querySelector("progress"), label = document.getElementById("progress-text");
    function show(text, value) {
      bar.hidden = false; label.textContent = text;
      if (value === undefined) meter.removeAttribute("value"); else meter.value = value;
    }
    return {show: show, hide: function () { bar.hidden = true; }, label: label};
  }
  function registerServiceWorker() {  // after the page has loaded: its caching must not slow the page
    if (!("serviceWorker" in navigator)) return;
    var register = function () { navigator.serviceWorker.register("/sw.js").catch(function () {}); };
    if (document.readyState === "complete") register(); else window.addEventListener("load", register);
  }
  function startProof() {  // the server's small proof-of-work for anonymous reports
    var nonce = document.getElementById("pow_nonce"), challenge = document.getElementById("pow_challenge");
    if (!(challenge && nonce && window.reuniteQueue)) return Promise.resolve();
    mark("proof-start");
    return reuniteQueue.solve(challenge.value).then(function (found) { nonce.value = found; mark("proof"); });
  }

  // The answer replaces the page (no further request); photos re-encoded on the phone are shown in
  // the place the thank-you page keeps for them
  function replacePage(html, url, blobs) {
    reuniteForms.showPage(html, url);
    // a receipt's address is its private link: opened again (or in another language) it shows the receipt
    var receipt = document.getElementById("private-link");
    if (receipt) history.replaceState(null, "", receipt.getAttribute("href"));
    var place = document.getElementById("phone-copies");
    if (!place || !blobs || !blobs.length) return;
    var list = place.querySelector(".thumbs");
    blobs.forEach(function (blob) {
      var img = document.createElement("img");
      img.src = URL.createObjectURL(blob); img.alt = place.dataset.alt;
      list.appendChild(img);
    });
    place.hidden = false;
  }
  function blobsOf(data) {
    return data.getAll("photos").filter(function (value) { return value instanceof Blob; });
  }
  function mark(name) { if (window.performance && performance.mark) performance.mark("reunite:" + name); }
  function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
})();
