// A report kept on the phone without signal (static/queue.js), and what became of each one kept (sent by
// this page, an earlier one or the service worker): the receipt and private link of each one sent, until
// the reporter is done with them; a refusal said, and what was typed put back in the form; each one still
// waiting, why and when it is sent, with a button to send it now and one to delete it. The report this
// page kept is said under its button (in the progress bar's words), the others above the form.
// page (static/snapshot.js): progress {show, hide, label}, free(), failed(), answered(html, url, blobs), photos.
var reuniteKept = function (form, page) {
  var d = form.dataset, progress = page.progress;
  var restored = null;  // the kept report the server refused, put back in the form to correct
  var keptHere = null;  // the report this page kept: what became of it is said under its button
  var here = document.getElementById("kept-here"), timer = null, lastShown = "";

  function start() {
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

  // send what is due (how: reuniteQueue.flush's), then say what became of every kept report
  function flushQueue(how, again) {
    reuniteQueue.flush(how).then(function (settled) {
      var sent = settled.filter(function (s) { return s.response.ok; });
      if (sent.length) shown(sent[0]); else showKept(again);
    }, showKept);
  }
  function shown(sent) {
    sent.response.text().then(function (html) {
      page.answered(html, sent.response.url, sent.entry.files.map(function (f) { return f[1]; }));
    });
  }

  // no signal: keep the report on the phone, send it when the network is back; or (why: {reason: "limit",
  // next, otherwise}) past the limit of reports from this network: sent at next (otherwise: not kept)
  function keep(data, key, why) {
    var notKept = why && why.otherwise || page.failed;
    if (!window.reuniteQueue || !window.indexedDB) { notKept(); return; }
    var entry = {key: key, action: form.action, fields: [], files: [], state: "waiting", tries: 0};
    if (why) { entry.reason = why.reason; entry.next = why.next; entry.tries = 1; }
    data.forEach(function (value, name) {
      if (value instanceof Blob) entry.files.push([name, value, value.name || "photo.jpg"]);
      else entry.fields.push([name, value]);
    });
    reuniteQueue.put(entry).then(function () {
      keptHere = entry.key;
      progress.show(why ? waitingWords(entry) : d.queued, 100);
      showKept();  // its buttons: send now, delete
      if (navigator.serviceWorker && navigator.serviceWorker.ready) {
        navigator.serviceWorker.ready.then(function (reg) { if (reg.sync) return reg.sync.register("reunite-reports"); })
          .catch(function () {});
      }
    }, notKept);
  }

  function showKept(again) {  // made anew only when something changed (else a screen reader hears it again)
    return reuniteQueue.all().then(function (entries) {
      var seen = JSON.stringify([keptHere, entries.map(function (e) {
        return [e.key, e.state, e.reason, e.next, e.tries];
      })]);
      if (!again && seen === lastShown) return;
      lastShown = seen;
      render(entries);
    });
  }
  function render(entries) {
    var box = document.getElementById("kept"), focused = focusedAction(), next = Infinity;
    box.textContent = ""; here.textContent = "";
    entries.forEach(function (entry) {
      if (entry.state === "sent") box.appendChild(notice(entry, [d.sentQueued, d.receipt + ": " + entry.receipt, d.link], entry.link));
      else if (entry.state === "refused") {
        box.appendChild(notice(entry, [d.refused.replace("{error}", entry.error)]));
        if (restored !== entry.key) putBack(entry);
      } else next = Math.min(next, showWaiting(entry, box));
    });
    if (keptHere && !entries.some(function (e) { return e.key === keptHere && reuniteQueue.waiting(e); })) {
      keptHere = null; progress.hide(); page.free();  // refused: said above
    }
    here.hidden = !here.children.length;
    box.hidden = !box.children.length;
    refocus(focused);
    clearTimeout(timer);  // sent at its time while this page is open
    if (next < Infinity) timer = setTimeout(flushQueue, Math.min(Math.max(1000, next - Date.now() + 500), 864e5));
  }
  // a waiting report said; when this page sends it (Infinity: not by a timer)
  function showWaiting(entry, box) {
    var due = entry.next > Date.now() && (entry.reason !== "network" || navigator.onLine) ? entry.next : Infinity;
    if (entry.key !== keptHere) box.appendChild(notice(entry, [waitingWords(entry)]));
    else { progress.show(waitingWords(entry), 100); here.appendChild(actions(entry)); }
    return due;
  }
  // why a kept report waits, and when it is sent: in the phone's own time
  function waitingWords(entry) {
    var ahead = entry.next > Date.now(), time = ahead ? clock(entry.next) : "";
    if (entry.reason === "limit" && ahead) return d.waitLimit.replace("{time}", time) + (d.danger ? " " + d.danger : "");
    if (entry.reason === "server" && ahead) return d.waitServer.replace("{time}", time);
    return entry.tries && navigator.onLine && !ahead ? d.sending : d.queued;
  }
  function clock(ms) {
    var lang = document.documentElement.lang || undefined, at = new Date(ms);
    var today = at.toDateString() === new Date().toDateString();
    return at.toLocaleString(lang, today ? {hour: "numeric", minute: "2-digit"}
                                         : {weekday: "short", day: "numeric", hour: "numeric", minute: "2-digit"});
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
      done.type = "button"; done.textContent = d.dismiss;
      done.addEventListener("click", function () { reuniteQueue.remove(entry.key).then(showKept); });
      div.appendChild(done);
    }
    if (reuniteQueue.waiting(entry)) div.appendChild(actions(entry));
    return div;
  }
  function button(words, act, key, work) {
    var b = document.createElement("button");
    b.type = "button"; b.textContent = words; b.dataset.act = act; b.dataset.key = key;
    b.addEventListener("click", work);
    return b;
  }
  function actions(entry) {  // send a waiting report now, or delete it from the phone (asked once more)
    var row = document.createElement("div");
    row.className = "row kept-actions";
    row.appendChild(button(d.sendNow, "send", entry.key, function () {
      (entry.key === keptHere ? progress.label : row.parentNode.firstChild).textContent = d.sending;
      flushQueue({key: entry.key}, true);
    }));
    row.appendChild(button(d.remove, "remove", entry.key, function () { askRemove(entry, row); }));
    return row;
  }
  function askRemove(entry, row) {
    row.textContent = "";
    var sure = document.createElement("p");
    sure.textContent = d.removeSure; sure.className = "note"; row.appendChild(sure);
    row.appendChild(button(d.removeYes, "remove-yes", entry.key, function () {
      reuniteQueue.remove(entry.key).then(function () { removed(entry.key); });
    }));
    var no = button(d.removeNo, "remove-no", entry.key, showKept);
    row.appendChild(no); no.focus();
  }
  function removed(key) {  // said where it was (the focus there), and the form free for another report
    var mine = key === keptHere, box = document.getElementById("kept");
    if (mine) { keptHere = null; page.free(); }
    showKept().then(function () {
      var said = mine ? progress.label : document.createElement("p");
      said.tabIndex = -1;
      if (mine) progress.show(d.removed, 0);
      else { said.className = "note"; said.textContent = d.removed; box.appendChild(said); box.hidden = false; }
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

  function putBack(entry) {  // a refused report: what was typed and the photos, back in the form
    restored = entry.key;
    entry.fields.forEach(function (f) {
      var el = form.elements.namedItem(f[0]);
      if (el && el.type !== "hidden" && el.type !== "file" && !el.value) el.value = f[1];
    });
    if (entry.files.length) {
      reuniteForms.putFiles(page.photos, entry.files.map(function (f) { return new File([f[1]], f[2], {type: f[1].type}); }));
    }
  }
  function forgetRestored() {  // sent again: the copy kept of the refused one is deleted
    if (restored) { reuniteQueue.remove(restored); restored = null; }
  }

  return {start: start, keep: keep, forgetRestored: forgetRestored};
};
