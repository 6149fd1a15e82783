// A photo's own clock and place, read on the phone: hints for the report form (static/photos.js).
var reuniteExif = (function () {
  // EXIF DateTimeOriginal (+ OffsetTimeOriginal) and GPS position from a JPEG's first bytes.
  function readExif(view) {
    var out = {};
    try {
      if (view.getUint16(0) !== 0xFFD8) return out;
      var pos = 2;
      while (pos + 4 < view.byteLength) {
        var marker = view.getUint16(pos), size = view.getUint16(pos + 2);
        if (marker === 0xFFE1 && view.getUint32(pos + 4) === 0x45786966) { tiff(view, pos + 10, out); break; }
        if ((marker & 0xFF00) !== 0xFF00) break;
        pos += 2 + size;
      }
    } catch (err) { /* a photo without readable EXIF: the server reads what it can */ }
    return out;
  }

  function tiffReader(view, start) {
    var little = view.getUint16(start) === 0x4949;
    var u16 = function (p) { return view.getUint16(start + p, little); };
    var u32 = function (p) { return view.getUint32(start + p, little); };
    function entries(ifd) {
      var found = {}, n = u16(ifd);
      for (var i = 0; i < n; i++) {
        var e = ifd + 2 + i * 12, type = u16(e + 2), count = u32(e + 4);
        var bytes = count * ({1: 1, 2: 1, 3: 2, 4: 4, 5: 8}[type] || 1);
        var at = bytes > 4 ? u32(e + 8) : e + 8;
        found[u16(e)] = {type: type, count: count, at: at, value: type === 3 ? u16(e + 8) : u32(e + 8),
                         first: view.getUint8(start + e + 8)};
      }
      return found;
    }
    function ascii(entry) {
      var s = "";
      for (var i = 0; i < entry.count - 1; i++) s += String.fromCharCode(view.getUint8(start + entry.at + i));
      return s;
    }
    function degrees(entry) {
      var v = 0;
      for (var i = 0; i < 3; i++) v += u32(entry.at + i * 8) / u32(entry.at + i * 8 + 4) / Math.pow(60, i);
      return v;
    }
    return {u32: u32, entries: entries, ascii: ascii, degrees: degrees};
  }

  function tiff(view, start, out) {
    var read = tiffReader(view, start), ifd0 = read.entries(read.u32(4));
    if (ifd0[0x8769]) {
      var exif = read.entries(ifd0[0x8769].value), raw = exif[0x9003] ? read.ascii(exif[0x9003]) : "";
      if (/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d/.test(raw)) out.time = cameraTime(raw, exif[0x9011] ? read.ascii(exif[0x9011]) : "");
    }
    if (ifd0[0x8825]) gpsPlace(read, read.entries(ifd0[0x8825].value), out);
  }

  function gpsPlace(read, gps, out) {
    if (!(gps[2] && gps[4])) return;
    out.lat = read.degrees(gps[2]) * (gps[1] && String.fromCharCode(gps[1].first) === "S" ? -1 : 1);
    out.lon = read.degrees(gps[4]) * (gps[3] && String.fromCharCode(gps[3].first) === "W" ? -1 : 1);
    // no place: not a number, off the globe, or 0°, 0° (a GPS without a fix)
    if (!(Math.abs(out.lat) <= 90 && Math.abs(out.lon) <= 180) || (!out.lat && !out.lon)) { delete out.lat; delete out.lon; }
  }

  // A camera's clock ("2026:11:20 14:00:00", and its "+08:00" when written) as {local, iso, instant, assumed},
  // each with its words ("0000-00-00 00:00"), or those alone when it is no time: a day or hour that does not
  // exist (zeros, 2019:02:30, 24:00). An offset no zone has (beyond ±14:00) is none: the wall clock is then read
  // in this phone's zone, in whole minutes.
  function cameraTime(raw, offsetText) {
    var n = raw.slice(0, 19).split(/[: ]/).map(Number), y = n[0], mo = n[1], d = n[2], h = n[3], mi = n[4], s = n[5];
    var words = raw.slice(0, 10).replace(/:/g, "-") + " " + raw.slice(11, 16);
    var wall = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
    wall.setUTCFullYear(y);  // years before 100 too, which Date.UTC would move to the 1900s
    if (!(y >= 1 && wall.getUTCFullYear() === y && wall.getUTCMonth() === mo - 1 && wall.getUTCDate() === d
          && wall.getUTCHours() === h && wall.getUTCMinutes() === mi && wall.getUTCSeconds() === s)) return {words: words};
    var local = words.replace(" ", "T");
    var given = /^([+-])(\d\d):(\d\d)$/.exec(offsetText), minutes;
    if (given) minutes = (given[1] === "-" ? -1 : 1) * (+given[2] * 60 + +given[3]);
    var assumed = !given || +given[3] > 59 || Math.abs(minutes) > 14 * 60;
    if (assumed) minutes = phoneOffset(y, mo, d, h, mi, s);
    var abs = Math.abs(minutes);
    var offset = (minutes < 0 ? "-" : "+") + String(Math.floor(abs / 60)).padStart(2, "0") + ":" + String(abs % 60).padStart(2, "0");
    if (!isFinite(minutes) || abs > 14 * 60) return {words: words};
    return {local: local, words: words, iso: local + ":" + raw.slice(17, 19) + offset, wall: wall.getTime(),
            instant: wall.getTime() - minutes * 6e4, assumed: assumed};
  }

  // no zone in the photo: the phone's own zone then (and the page says so); before standard time a zone's
  // offset was a fraction of a minute (local mean time): such a clock is not sent anyway
  function phoneOffset(y, mo, d, h, mi, s) {
    var there = new Date(y, mo - 1, d, h, mi, s);
    there.setFullYear(y);
    return Math.round(-there.getTimezoneOffset());
  }

  return {read: readExif, cameraTime: cameraTime};
})();
