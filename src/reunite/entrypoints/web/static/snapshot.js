// The report form (/report): photo time and place read on the phone, photos shrunk before upload,
// progress, and reports kept on the phone while there is no signal. The place and the page's "js"
// mark: static/forms.js; the photo's clock and place: static/exif.js, both loaded before it.
(function () {
  var report = document.getElementById("snapshot");
  if (report) reportForm(report);

  function reportForm(form) {
    var nonce = document.getElementById("pow_nonce"), challenge = document.getElementById("pow_challenge");
    var solved = Promise.resolve();
    if (challenge && nonce && window.reuniteQueue && window.crypto && crypto.subtle && window.TextEncoder) solved = solve(challenge, nonce);
    var clientKey = document.getElementById("client_key");
    clientKey.value = newKey();
    var photos = document.getElementById("photos"), when = document.getElementById("seen_at");
    var shrunk = [], reading = Promise.resolve();
    photos.addEventListener("change", function () { reading = readPhotos(Array.prototype.slice.call(photos.files)); });
    var send = document.getElementById("send"), bar = document.getElementById("progress");
    var meter = bar.querySelector("progress"), label = document.getElementById("progress-text");
    function show(text, value) {
      bar.hidden = false; label.textContent = text;
      if (value === undefined) meter.removeAttribute("value"); else meter.value = value;
    }
    if ("serviceWorker" in navigator) {  // after the page has loaded: its caching must not slow the page
      var register = function () { navigator.serviceWorker.register("/sw.js").catch(function () {}); };
      if (document.readyState === "complete") register(); else window.addEventListener("load", register);
    }
    var restored = null;  // the kept report the server refused, put back in the form to correct
    var keptHere = null;  // the report this page kept: what became of it is said under its button
    var here = document.getElementById("kept-here"), timer = null;
    // send what is due (how: reuniteQueue.flush's), then say what became of every kept report
    function flushQueue(how, again) {
      reuniteQueue.flush(how).then(function (settled) {
        var sent = settled.filter(function (s) { return s.response.ok; });
        if (sent.length) shown(sent[0]); else showKept(again);
      }, showKept);
    }
    if (window.reuniteQueue) {
      window.addEventListener("online", function () { flushQueue({network: true}); });
      document.addEventListener("visibilitychange", function () {  // a phone that slept past a report's time
        if (!document.hidden && navigator.onLine) flushQueue();
      });
      showKept();
      if (navigator.onLine) flushQueue();  // a report kept from an earlier visit
      if (navigator.serviceWorker) navigator.serviceWorker.addEventListener("message", function (e) {
        if (e.data && e.data.queue) showKept();
      });
    }
    // a form the server sent back (422 a field to correct, 429 the hourly limit) keeps the photos chosen: a
    // browser cannot put them back in the page it answered with, this script can (else the page says to
    // choose them again)
    var chosen = [], refusedWith = window.reuniteChosenPhotos;
    window.reuniteChosenPhotos = null;
    if (refusedWith && refusedWith.length) choosePhotosAgain(refusedWith);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!form.reportValidity()) return;
      if (restored) { reuniteQueue.remove(restored); restored = null; }
      chosen = Array.prototype.slice.call(photos.files);
      send.disabled = true;
      show(form.dataset.preparing);
      Promise.all([reading, Promise.race([solved, wait(15000)])]).then(function () {
        var data = new FormData(form);
        if (shrunk.length) {
          data.delete("photos");
          shrunk.forEach(function (f) { data.append("photos", f.blob, f.name); });
          // every photo re-encoded here (so without its hidden data): the thank-you page shows these
          // copies, and the server need not send its own back over a slow network
          if (shrunk.every(function (f) { return f.clean; })) data.set("copies", "phone");
        }
        upload(data);
      });
    });

    var fresh = false;
    function freshProof(data) {
      fetch("/report/challenge", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (c) {
        return reuniteQueue.solve(c).then(function (n) { data.set("pow_challenge", c); data.set("pow_nonce", n); upload(data); });
      }).catch(function () { keep(data); });
    }
    function upload(data) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) show(form.dataset.sending + " " + Math.round(100 * e.loaded / e.total) + "%",
                                     Math.round(100 * e.loaded / e.total));
      };
      xhr.upload.onload = function () { mark("uploaded"); };
      xhr.onload = function () {
        mark("answered");
        if (xhr.status >= 500) { send.disabled = false; show(form.dataset.failed); return; }
        // a page kept for use without signal carries the puzzle it was served with, perhaps used by
        // now: once, a fresh puzzle is asked for and solved, and the report sent again
        if (xhr.status === 429 && data.has("pow_challenge") && !fresh) { fresh = true; freshProof(data); return; }
        // the form again (422 a field to correct, 429 the hourly limit, …): for it to keep the photos chosen
        if (xhr.status >= 400) window.reuniteChosenPhotos = chosen;
        replacePage(xhr.responseText, xhr.responseURL, blobsOf(data));
      };
      xhr.onerror = function () { keep(data); };
      show(form.dataset.sending, 0);
      mark("upload");
      xhr.send(data);
    }

    function keep(data) {  // no signal: keep the report on the phone, send it when the network is back
      if (!window.reuniteQueue || !window.indexedDB) { send.disabled = false; show(form.dataset.failed); return; }
      var entry = {key: clientKey.value, action: form.action, fields: [], files: [], state: "waiting", tries: 0};
      data.forEach(function (value, name) {
        if (value instanceof Blob) entry.files.push([name, value, value.name || "photo.jpg"]);
        else entry.fields.push([name, value]);
      });
      reuniteQueue.put(entry).then(function () {
        keptHere = entry.key;
        show(form.dataset.queued, 100);
        showKept();  // its buttons: send now, delete
        if (navigator.serviceWorker && navigator.serviceWorker.ready) {
          navigator.serviceWorker.ready.then(function (reg) { if (reg.sync) return reg.sync.register("reunite-reports"); })
            .catch(function () {});
        }
      }, function () { send.disabled = false; show(form.dataset.failed); });
    }

    function shown(sent) {
      sent.response.text().then(function (html) {
        replacePage(html, sent.response.url, sent.entry.files.map(function (f) { return f[1]; }));
      });
    }
    // what became of the reports kept on this phone (sent by this page, an earlier one or the
    // service worker): the receipt and private link of each one sent, until the reporter is done with
    // them; a refusal said, and what was typed put back in the form; each one still waiting, why and
    // when it is sent, with a button to send it now and one to delete it. The report this page kept
    // is said under its button (in the progress bar's words), the others above the form.
    var lastShown = "";
    function showKept(again) {  // made anew only when something changed (else a screen reader hears it again)
      return reuniteQueue.all().then(function (entries) {
        var seen = JSON.stringify([keptHere, entries.map(function (e) {
          return [e.key, e.state, e.reason, e.next, e.tries];
        })]);
        if (!again && seen === lastShown) return;
        lastShown = seen;
        var box = document.getElementById("kept"), d = form.dataset, focused = focusedAction(), next = Infinity;
        box.textContent = ""; here.textContent = "";
        entries.forEach(function (entry) {
          if (entry.state === "sent") box.appendChild(notice(entry, [d.sentQueued, d.receipt + ": " + entry.receipt, d.link], entry.link));
          else if (entry.state === "refused") {
            box.appendChild(notice(entry, [d.refused.replace("{error}", entry.error)]));
            if (restored !== entry.key) putBack(entry);
          } else {
            if (entry.next > Date.now() && (entry.reason !== "network" || navigator.onLine)) {
              next = Math.min(next, entry.next);
            }
            if (entry.key !== keptHere) box.appendChild(notice(entry, [waitingWords(entry)]));
            else { show(waitingWords(entry), 100); here.appendChild(actions(entry)); }
          }
        });
        if (keptHere && !entries.some(function (e) { return e.key === keptHere && reuniteQueue.waiting(e); })) {
          keptHere = null; bar.hidden = true; send.disabled = false; clientKey.value = newKey();  // refused: said above
        }
        here.hidden = !here.children.length;
        box.hidden = !box.children.length;
        refocus(focused);
        clearTimeout(timer);  // sent at its time while this page is open
        if (next < Infinity) timer = setTimeout(flushQueue, Math.min(Math.max(1000, next - Date.now() + 500), 864e5));
      });
    }
    // why a kept report waits, and when it is sent: in the phone's own time
    function waitingWords(entry) {
      var d = form.dataset, ahead = entry.next > Date.now(), time = ahead ? clock(entry.next) : "";
      if (entry.reason === "limit" && ahead) return d.waitLimit.replace("{time}", time);
      if (entry.reason === "server" && ahead) return d.waitServer.replace("{time}", time);
      return entry.tries && navigator.onLine && !ahead ? d.sending : d.queued;
    }
    function clock(ms) {
      var lang = document.documentElement.lang || undefined, at = new Date(ms);
      var today = at.toDateString() === new Date().toDateString();
      return at.toLocaleString(lang, today ? {hour: "numeric", minute: "2-digit"}
                                           : {weekday: "short", day: "numeric", hour: "numeric", minute: "2-digit"});
    }
    function button(words, act, key, work) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = words; b.dataset.act = act; b.dataset.key = key;
      b.addEventListener("click", work);
      return b;
    }
    function actions(entry) {  // send a waiting report now, or delete it from the phone (asked once more)
      var d = form.dataset, row = document.createElement("div");
      row.className = "row kept-actions";
      row.appendChild(button(d.sendNow, "send", entry.key, function () {
        (entry.key === keptHere ? label : row.parentNode.firstChild).textContent = d.sending;
        flushQueue({key: entry.key}, true);
      }));
      row.appendChild(button(d.remove, "remove", entry.key, function () {
        row.textContent = "";
        var sure = document.createElement("p");
        sure.textContent = d.removeSure; sure.className = "note"; row.appendChild(sure);
        row.appendChild(button(d.removeYes, "remove-yes", entry.key, function () {
          reuniteQueue.remove(entry.key).then(function () { removed(entry.key); });
        }));
        var no = button(d.removeNo, "remove-no", entry.key, showKept);
        row.appendChild(no); no.focus();
      }));
      return row;
    }
    function removed(key) {  // said where it was (the focus there), and the form free for another report
      var mine = key === keptHere, box = document.getElementById("kept");
      if (mine) { keptHere = null; send.disabled = false; clientKey.value = newKey(); }
      showKept().then(function () {
        var said = mine ? label : document.createElement("p");
        said.tabIndex = -1;
        if (mine) show(form.dataset.removed, 0);
        else { said.className = "note"; said.textContent = form.dataset.removed; box.appendChild(said); box.hidden = false; }
        said.focus();
      });
    }
    function focusedAction() {
      var el = document.activeElement;
      return el && el.dataset && el.dataset.act ? [el.dataset.key, el.dataset.act] : null;
    }
    function refocus(focused) {  // the same button again, once the notices are made anew
      if (!focused) return;
      Array.prototype.forEach.call(document.querySelectorAll("button[data-act]"), function (b) {
        if (b.dataset.key === focused[0] && b.dataset.act === (focused[1] === "remove-no" ? "remove" : focused[1])) b.focus();
      });
    }
    function notice(entry, lines, link) {
      var div = document.createElement("div");
      div.className = entry.state === "sent" ? "receipt kept-sent" : entry.state === "refused" ? "error kept-refused"
        : "alert kept-waiting";
      lines.forEach(function (line) { var p = document.createElement("p"); p.textContent = line; div.appendChild(p); });
      if (link) {
        var p = document.createElement("p"), a = document.createElement("a");
        p.className = "token"; a.href = link; a.textContent = location.origin + link; a.className = "kept-link";
        a.rel = "noreferrer"; p.appendChild(a); div.appendChild(p);
      }
      if (entry.state === "sent") {
        var done = document.createElement("button");
        done.type = "button"; done.textContent = form.dataset.dismiss;
        done.addEventListener("click", function () { reuniteQueue.remove(entry.key).then(showKept); });
        div.appendChild(done);
      }
      if (reuniteQueue.waiting(entry)) div.appendChild(actions(entry));
      return div;
    }
    function putBack(entry) {
      restored = entry.key;
      entry.fields.forEach(function (f) {
        var el = form.elements.namedItem(f[0]);
        if (el && el.type !== "hidden" && el.type !== "file" && !el.value) el.value = f[1];
      });
      if (entry.files.length && window.DataTransfer) {
        var files = new DataTransfer();
        entry.files.forEach(function (f) { files.items.add(new File([f[1]], f[2], {type: f[1].type})); });
        photos.files = files.files;
        photos.dispatchEvent(new Event("change"));
      }
    }
    function choosePhotosAgain(files) {
      var again = document.getElementById("photos-again");
      // not when the photos were what was refused: the reporter chooses others
      if (!window.DataTransfer || photos.closest(".invalid")) return;
      try {
        var list = new DataTransfer();
        files.forEach(function (f) { list.items.add(f); });
        photos.files = list.files;
      } catch (err) { return; }
      photos.dispatchEvent(new Event("change"));
      if (again) again.textContent = again.dataset.kept;
      var busy = document.getElementById("busy");  // the hourly limit: no longer "choose the photo again"
      if (busy && busy.dataset.kept) busy.textContent = busy.dataset.kept;
    }
    function blobsOf(data) {
      return data.getAll("photos").filter(function (value) { return value instanceof Blob; });
    }

    // the photos' own time and place, as hints: left out when they are no time or place (the server leaves
    // them out too: a hint never refuses a report). Read again from scratch whenever photos are chosen.
    var taken = document.getElementById("photo_taken_at"), zoneAssumed = document.getElementById("photo_zone_assumed");
    var clockNote = document.getElementById("photo_clock");  // a clock set aside, in words: for the moderators
    var photoLat = document.getElementById("photo_lat"), photoLon = document.getElementById("photo_lon");
    var help = document.getElementById("when-help"), helpFirst = help ? help.textContent : "", clockSaid = "";
    function readPhotos(files) {
      shrunk = [];
      taken.value = zoneAssumed.value = clockNote.value = photoLat.value = photoLon.value = clockSaid = "";
      if (help) help.textContent = helpFirst;
      return files.reduce(function (done, file) {
        return done.then(function () {
          return file.slice(0, 256 * 1024).arrayBuffer().then(function (head) {
            var exif = reuniteExif.read(new DataView(head));
            mark("photo-read");
            usePhotoFacts(exif);
            return shrink(file);
          }).then(function (blob) {
            mark("photo-shrunk");
            shrunk.push(blob ? {blob: blob, name: file.name.replace(/\.\w+$/, "") + ".jpg", clean: true}
                             : {blob: file, name: file.name});
          }, function () { shrunk.push({blob: file, name: file.name}); });
        });
      }, Promise.resolve());
    }

    // The first photo whose clock is a plausible time gives it (sent, and said under "When"); a clock that is
    // none (zeros, a day that does not exist) or cannot be when the child was seen (1970, the future) is never
    // sent: the help asks when the child was seen instead, naming what the clock says when it is a day.
    function usePhotoFacts(exif) {
      var time = exif.time, lang = document.documentElement.lang || undefined;
      if (time && !taken.value && clockSaid !== "used") {
        var at = time.instant === undefined ? NaN : time.instant, now = Date.now();
        // a clock reset to 1970, over 25 years old or ahead is no time (as the server reads it: domain/times.py)
        var plausible = isFinite(at) && at >= Math.max(Date.UTC(2000, 0, 1), now - 25 * 365.25 * 864e5)
          && at <= now + 15 * 6e4 && !/-01-01T00:00/.test(time.local);  // nor a year's first minute, where a reset clock starts
        if (plausible) {
          taken.value = time.iso;
          clockNote.value = "";
          zoneAssumed.value = time.assumed ? "1" : "";
          clockSaid = "used";
          // a zone-less camera clock: said so; in the zone the label names (the browser's)
          tell(time.assumed ? "assumed" : "photo", new Date(at).toLocaleString(lang, {dateStyle: "medium", timeStyle: "short"}));
        } else if (!clockSaid) {
          clockSaid = "set aside";
          clockNote.value = time.words;
          if (!time.local) tell("unreadable");
          else tell("implausible", "", new Date(time.wall)  // the day the clock wrote, in no zone
            .toLocaleDateString(lang, {dateStyle: "medium", timeZone: "UTC"}));
        }
      }
      if (exif.lat !== undefined && !photoLat.value) {
        photoLat.value = exif.lat.toFixed(6);
        photoLon.value = exif.lon.toFixed(6);
        var lat = document.getElementById("lat"), locate = document.getElementById("locate");
        if (!lat.value) reuniteForms.sayPlace(locate ? locate.dataset.photo : "");
      }
      function tell(kind, time, day) {  // shown, never written over the reporter's own
        var words = help && help.dataset[kind];
        if (words) help.textContent = words.replace("{time}", time || "").replace("{day}", day || "");
      }
    }
  }

  // The answer replaces the page (no further request); photos re-encoded on the phone are shown in
  // the place the thank-you page keeps for them
  function replacePage(html, url, blobs) {
    document.open(); document.write(html); document.close();
    // a receipt's address is its private link: opened again (or in another language) it shows the receipt
    var receipt = document.getElementById("private-link");
    if (receipt) url = receipt.getAttribute("href");
    if (url && url !== location.href) history.replaceState(null, "", url);
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
  function mark(name) { if (window.performance && performance.mark) performance.mark("reunite:" + name); }
  function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function solve(challenge, nonce) {  // the server's small proof-of-work for anonymous reports
    mark("proof-start");
    return reuniteQueue.solve(challenge.value).then(function (found) { nonce.value = found; mark("proof"); });
  }
  // A photo shrunk to at most 1600 px and re-encoded as JPEG (the server would shrink it anyway);
  // null when the browser cannot decode it (HEIC on most phones): then it is sent as it is.
  function shrink(file) {
    if (!window.createImageBitmap || !/^image\/(jpeg|png|webp)$/.test(file.type)) return Promise.resolve(null);
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (img) {
      var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
      var context = canvas.getContext("2d");
      context.imageSmoothingQuality = "high";  // no aliasing on faces; and about 10% fewer bytes to send
      context.drawImage(img, 0, 0, canvas.width, canvas.height);
      return new Promise(function (ok) { canvas.toBlob(function (b) { ok(b && b.size < file.size ? b : null); }, "image/jpeg", 0.8); });
    }, function () { return null; });
  }
})();
