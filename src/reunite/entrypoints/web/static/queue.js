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
  // one sender at a time across the page and the service worker (Web Locks): the second finds the report
  // sent and sends nothing (probe s45 P5: both sent it when the signal came back, and the page showed the
  // server's answer to the second, "You had sent this report already", to someone given no receipt yet)
  function oneSender(work) {
    var locks = typeof navigator !== "undefined" && navigator.locks;
    return locks ? locks.request("reunite-reports", work) : work();
  }
  var flushing = null;
  // Send every kept report whose time has come (how.network: the network is back, so those that waited
  // for a signal too; how.key: that one alone, whatever its time); resolves with [{response, entry}] for
  // those the server accepted or refused for good (those tried again later are not in it: each keeps why).
  function flush(how) {
    how = how || {};
    if (flushing) return flushing.then(function () { return flush(how); });
    flushing = oneSender(function () { return all().then(function (entries) {
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
    }); }).finally(function () { flushing = null; });
    return flushing;
  }
  // The server's proof-of-work for anonymous reports: the first nonce, counting from 0, such that
  // sha256(challenge ":" nonce) starts with the challenge's number of zero bits. Hashed here in plain
  // script (Web Crypto's digest, one promise per hash, did 30-40 thousand a second; this 0.4-2 million,
  // docs/benchmarks.md), the challenge's first whole blocks once; the page given a turn every 30 ms.
  function solve(challenge) {
    var bits = +challenge.split(".")[1], hash = sha256From(challenge + ":");
    return new Promise(function (ok) {
      var nonce = 0;
      (function turn() {
        var until = Date.now() + 30;
        do {
          for (var i = 0; i < 1024; i++, nonce++) if (zeroBits(hash(String(nonce))) >= bits) { ok(String(nonce)); return; }
        } while (Date.now() < until);
        setTimeout(turn, 0);
      })();
    });
  }
  function zeroBits(h) {
    for (var i = 0; i < 8; i++) if (h[i] !== 0) return 32 * i + Math.clz32(h[i]);
    return 256;
  }
  var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  var W = new Int32Array(64);
  function block(h, m, at) {  // SHA-256's compression of the 64 bytes of m from at into h
    for (var i = 0; i < 16; i++) W[i] = (m[at + 4 * i] << 24) | (m[at + 4 * i + 1] << 16) | (m[at + 4 * i + 2] << 8) | m[at + 4 * i + 3];
    for (i = 16; i < 64; i++) {
      var x = W[i - 15], y = W[i - 2];
      W[i] = (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + W[i - 16]
        + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + W[i - 7] | 0;
    }
    var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (i = 0; i < 64; i++) {
      var t1 = k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + W[i] | 0;
      var t2 = (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c)) | 0;
      k = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
    }
    h[0] = h[0] + a | 0; h[1] = h[1] + b | 0; h[2] = h[2] + c | 0; h[3] = h[3] + d | 0;
    h[4] = h[4] + e | 0; h[5] = h[5] + f | 0; h[6] = h[6] + g | 0; h[7] = h[7] + k | 0;
  }
  // sha256From(prefix)(suffix): the digest's 8 words of prefix + suffix (ASCII text: a challenge, a number)
  function sha256From(prefix) {
    var whole = prefix.length - prefix.length % 64, bytes = new Uint8Array(prefix.length);
    var start = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    for (var i = 0; i < prefix.length; i++) bytes[i] = prefix.charCodeAt(i);
    for (i = 0; i < whole; i += 64) block(start, bytes, i);
    var rest = bytes.subarray(whole), buf = new Uint8Array(128), h = new Int32Array(8);
    return function (suffix) {
      var n = rest.length + suffix.length, end = n + 9 > 64 ? 128 : 64, bits = (whole + n) * 8;
      buf.fill(0); buf.set(rest);
      for (var j = 0; j < suffix.length; j++) buf[rest.length + j] = suffix.charCodeAt(j);
      buf[n] = 0x80;
      buf[end - 4] = bits >>> 24; buf[end - 3] = bits >>> 16; buf[end - 2] = bits >>> 8; buf[end - 1] = bits;
      h.set(start);
      block(h, buf, 0);
      if (end === 128) block(h, buf, 64);
      return h;
    };
  }
  return {put: put, all: all, remove: remove, flush: flush, body: body, waiting: waiting, solve: solve};
})();
