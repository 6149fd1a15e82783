// Reports kept on the phone while there is no signal (IndexedDB), sent when the network is back,
// by the page or by the service worker. Each carries its client_key: the server stores it once.
// An entry stays kept until the server accepts it or refuses it for good: then it keeps the answer
// (receipt and private link, or the refusal with what was typed) for the report page to show. While it
// waits, it keeps why (no signal, the hourly limit, the site down) and when it is tried again.
var reuniteQueue = (function () {
  var DB = "reunite", STORE = "reports";
  var AGAIN = [408, 425, 429];  // the 4xx that sending the same report later may cure; other 4xx: refused for good
  function open() {
    return new Promise(function (ok, fail) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, {keyPath: "key"}); };
      req.onsuccess = function () { ok(req.result); };
      req.onerror = function () { fail(req.error); };
    });
  }
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var tx = db.transaction(STORE, mode), result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); ok(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); fail(tx.error); };
      });
    });
  }
  // entry: {key, action, fields: [[name, value]], files: [[name, Blob, filename]], state: "waiting" |
  // "sent" | "refused", tries, next (ms), link and receipt once sent, status and error once refused;
  // while waiting after a try, reason: "network" (no signal), "limit" (the hourly limit of reports:
  // next is when the server said, Retry-After) or "server" (5xx, 408, 425: tried again, waiting longer)}
  function put(entry) { return run("readwrite", function (s) { s.put(entry); }); }
  // kept again (tried later, or refused) only if the reporter has not deleted it while it was being sent
  function keepIfKept(entry) {
    return run("readwrite", function (s) {
      var now = s.get(entry.key);
      now.onsuccess = function () { if (now.result && waiting(now.result)) s.put(entry); };
    });
  }
  function all() { return run("readonly", function (s) { return s.getAll(); }); }
  function remove(key) { return run("readwrite", function (s) { s.delete(key); }); }
  function body(entry) {
    var data = new FormData();
    entry.fields.forEach(function (f) { data.append(f[0], f[1]); });
    entry.files.forEach(function (f) { data.append(f[0], f[1], f[2]); });
    return data;
  }
  function waiting(entry) { return !entry.state || entry.state === "waiting"; }
  // the proof-of-work a page solved may be old or used already (a page kept offline carries the
  // puzzle it was served with): each sending asks for a fresh one and solves it, so that each report
  // still costs one solved puzzle
  function freshProof(entry) {
    if (!entry.fields.some(function (f) { return f[0] === "pow_challenge"; })) return Promise.resolve();
    return fetch("/report/challenge", {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (!r.ok) throw new Error("no challenge: " + r.status);
      return r.text();
    }).then(function (challenge) {
      return challenge ? solve(challenge).then(function (nonce) {
        entry.fields = entry.fields.filter(function (f) { return f[0] !== "pow_challenge" && f[0] !== "pow_nonce"; })
          .concat([["pow_challenge", challenge], ["pow_nonce", nonce]]);
      }) : undefined;
    });
  }
  function later(entry, seconds, reason) {  // tried again later, waiting longer each time (at most an hour)
    entry.tries = (entry.tries || 0) + 1;
    entry.reason = reason;
    var wait = seconds > 0 ? seconds : Math.min(3600, 15 * Math.pow(2, entry.tries - 1));
    entry.next = Date.now() + wait * 1000;
    return keepIfKept(entry);
  }
  function answered(entry, response) {
    if (response.ok) {
      var link = response.headers.get("X-Reunite-Receipt") || "";
      // sent: the photos and words leave the phone; the receipt and private link stay to be shown
      var done = {key: entry.key, state: "sent", link: link, receipt: link.split("/")[2] || "", fields: [], files: []};
      return put(done).then(function () { return {response: response, entry: entry}; });
    }
    if (response.status === 429) return later(entry, +response.headers.get("Retry-After") || 0, "limit");
    if (response.status < 400 || response.status >= 500 || AGAIN.indexOf(response.status) >= 0) {
      return later(entry, +response.headers.get("Retry-After") || 0, "server");
    }
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html"), error = page.getElementById("form-error");
      entry.state = "refused"; entry.status = response.status;
      entry.error = error ? (error.dataset.error || error.textContent).trim() : String(response.status);
      return keepIfKept(entry).then(function () { return {response: response, entry: entry}; });
    });
  }
  // whether an entry is sent now: its time has come; or the network is back and it waited for a signal
  // (not for the limit, nor for the site); or the reporter asked to send this one now
  function due(entry, now, how) {
    if (!waiting(entry)) return false;
    if (how.key) return entry.key === how.key;
    return !(entry.next > now) || (how.network && (!entry.reason || entry.reason === "network"));
  }
  var flushing = null;
  // Send every kept report whose time has come (how.network: the network is back, so those that waited
  // for a signal too; how.key: that one alone, whatever its time); resolves with [{response, entry}] for
  // those the server accepted or refused for good (those tried again later are not in it: each keeps why).
  function flush(how) {
    how = how || {};
    if (flushing) return flushing.then(function () { return flush(how); });
    flushing = all().then(function (entries) {
      var now = Date.now();
      return entries.filter(function (e) { return due(e, now, how); }).reduce(function (done, entry) {
        return done.then(function (settled) {
          return freshProof(entry).then(function () {
            return fetch(entry.action, {method: "POST", body: body(entry), credentials: "same-origin"});
          }).then(function (response) {
            return answered(entry, response).then(function (result) { if (result) settled.push(result); return settled; });
          }, function () { return later(entry, 0, "network").then(function () { return settled; }); });  // still no signal
        });
      }, Promise.resolve([]));
    }).finally(function () { flushing = null; });
    return flushing;
  }
  function solve(challenge) {  // the server's small proof-of-work for anonymous reports: the nonce
    var bits = +challenge.split(".")[1], enc = new TextEncoder(), BATCH = 256;
    function zeros(b) {
      var n = 0;
      for (var i = 0; i < b.length; i++) { if (b[i] === 0) { n += 8; continue; } return n + Math.clz32(b[i]) - 24; }
      return n;
    }
    // digests asked for in batches (one at a time, each awaited, is 4x slower on a slow phone), the
    // page given a turn between batches; the first nonce in order that meets the difficulty
    return (async function () {
      for (var start = 0; ; start += BATCH) {
        if (start) await new Promise(function (ok) { setTimeout(ok, 0); });
        var batch = [];
        for (var i = start; i < start + BATCH; i++) batch.push(crypto.subtle.digest("SHA-256", enc.encode(challenge + ":" + i)));
        var digests = await Promise.all(batch);
        for (var j = 0; j < BATCH; j++) if (zeros(new Uint8Array(digests[j])) >= bits) return String(start + j);
      }
    })();
  }
  return {put: put, all: all, remove: remove, flush: flush, body: body, waiting: waiting, solve: solve};
})();
