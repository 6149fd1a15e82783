// The report's photos: their own time and place as hints (left out when they are no time or place: the
// server leaves them out too, a hint never refuses a report), each one shrunk before upload.
var reunitePhotos = (function () {
  // read again from scratch whenever photos are chosen; shrunk(): what is sent, once ready()
  function watch(input, mark) {
    var shrunk = [], reading = Promise.resolve(), hints = photoHints();
    input.addEventListener("change", function () { reading = read(Array.prototype.slice.call(input.files)); });
    function read(files) {
      shrunk = [];
      hints.clear();
      return files.reduce(function (done, file) {
        return done.then(function () {
          return file.slice(0, 256 * 1024).arrayBuffer().then(function (head) {
            var exif = reuniteExif.read(new DataView(head));
            mark("photo-read");
            hints.use(exif);
            return shrink(file);
          }).then(function (blob) {
            mark("photo-shrunk");
            shrunk.push(blob ? {blob: blob, name: file.name.replace(/\.\w+$/, "") + ".jpg", clean: true}
                             : {blob: file, name: file.name});
          }, function () { shrunk.push({blob: file, name: file.name}); });
        });
      }, Promise.resolve());
    }
    return {ready: function () { return reading; }, shrunk: function () { return shrunk; }};
  }

  function photoHints() {
    var taken = document.getElementById("photo_taken_at"), zoneAssumed = document.getElementById("photo_zone_assumed");
    var clockNote = document.getElementById("photo_clock");  // a clock set aside, in words: for the moderators
    var photoLat = document.getElementById("photo_lat"), photoLon = document.getElementById("photo_lon");
    var lat = document.getElementById("lat"), locate = document.getElementById("locate");
    var help = document.getElementById("when-help"), helpFirst = help ? help.textContent : "", clockSaid = "";
    function clear() {
      taken.value = zoneAssumed.value = clockNote.value = photoLat.value = photoLon.value = clockSaid = "";
      if (help) help.textContent = helpFirst;
    }
    function use(exif) {
      if (exif.time && !taken.value && clockSaid !== "used") useClock(exif.time);
      if (exif.lat !== undefined && !photoLat.value) {
        photoLat.value = exif.lat.toFixed(6);
        photoLon.value = exif.lon.toFixed(6);
        if (!lat.value) reuniteForms.sayPlace(locate ? locate.dataset.photo : "");
      }
    }
    // The first photo whose clock is a plausible time gives it (sent, and said under "When"); a clock that is
    // none (zeros, a day that does not exist) or cannot be when the child was seen (1970, the future) is never
    // sent: the help asks when the child was seen instead, naming what the clock says when it is a day.
    function useClock(time) {
      var lang = document.documentElement.lang || undefined;
      var at = time.instant === undefined ? NaN : time.instant, now = Date.now();
      // a clock reset to 1970, over 25 years old or ahead is no time (as the server reads it: domain/times.py)
      var plausible = isFinite(at) && at >= Math.max(Date.UTC(2000, 0, 1), now - 25 * 365.25 * 864e5)
        && at <= now + 15 * 6e4 && !/-01-01T00:00/.test(time.local);  // nor a year's first minute, where a reset clock starts
      if (plausible) {
        taken.value = time.iso;
        clockNote.value = "";
        zoneAssumed.value = time.assumed ? "1" : "";
        clockSaid = "used";
        // in this phone's zone, named (probe s40 A5: a traveller whose gallery shows another hour sees why);
        // a zone-less camera clock is said so too
        tell(time.assumed ? "assumed" : "photo", new Date(at).toLocaleString(lang, {year: "numeric", month: "short",
          day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "long"}));
      } else if (!clockSaid) {
        clockSaid = "set aside";
        clockNote.value = time.words;
        if (!time.local) tell("unreadable");
        else if (at > now + 15 * 6e4)  // ahead of now: said so, with the time it shows in this phone's zone, named
          tell("ahead", new Date(at).toLocaleString(lang, {year: "numeric", month: "short", day: "numeric",
            hour: "numeric", minute: "2-digit", timeZoneName: "long"}));
        else tell("implausible", "", new Date(time.wall)  // the day the clock wrote, in no zone
          .toLocaleDateString(lang, {dateStyle: "medium", timeZone: "UTC"}));
      }
    }
    function tell(kind, time, day) {  // shown, never written over the reporter's own
      var words = help && help.dataset[kind];
      if (words) help.textContent = words.replace("{time}", time || "").replace("{day}", day || "");
    }
    return {clear: clear, use: use};
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

  return {watch: watch};
})();
