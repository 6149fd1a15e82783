// Reports kept on the phone while there is no signal (IndexedDB), sent when the network is back,
// by the page or by the service worker. Each carries its client_key: the server stores it once.
var reuniteQueue = (function () {
  var DB = "reunite", STORE = "reports";
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
  // entry: {key, action, fields: [[name, value]], files: [[name, Blob, filename]]}
  function put(entry) { return run("readwrite", function (s) { s.put(entry); }); }
  function all() { return run("readonly", function (s) { return s.getAll(); }); }
  function remove(key) { return run("readwrite", function (s) { s.delete(key); }); }
  function body(entry) {
    var data = new FormData();
    entry.fields.forEach(function (f) { data.append(f[0], f[1]); });
    entry.files.forEach(function (f) { data.append(f[0], f[1], f[2]); });
    return data;
  }
  var flushing = null;
  // Send every kept report once; resolves with [{response, entry}] for those the server answered.
  function flush() {
    if (flushing) return flushing;
    flushing = all().then(function (entries) {
      return entries.reduce(function (done, entry) {
        return done.then(function (sent) {
          return fetch(entry.action, {method: "POST", body: body(entry), credentials: "same-origin"})
            .then(function (response) {
              if (response.status >= 500) return sent;  // try again later
              return remove(entry.key).then(function () { sent.push({response: response, entry: entry}); return sent; });
            }, function () { return sent; });  // still no signal
        });
      }, Promise.resolve([]));
    }).finally(function () { flushing = null; });
    return flushing;
  }
  return {put: put, all: all, flush: flush, body: body};
})();
