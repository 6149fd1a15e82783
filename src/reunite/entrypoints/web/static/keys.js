// Keyboard shortcuts for reviewers. Every key presses a button the page already has (the pages work
// without this script): on the workbench, the button whose data-key is the key; on the reports
// queue, j/k move between reports, x and * choose, a approves and 1-5 reject with that reason.
(function () {
  document.documentElement.classList.add("js");
  var reports = Array.prototype.slice.call(document.querySelectorAll(".report"));
  var chooseAll = document.getElementById("choose-all");
  var current = 0;

  function focus(index, scroll) {
    if (!reports.length) return;
    current = Math.max(0, Math.min(reports.length - 1, index));
    reports.forEach(function (r, i) { r.classList.toggle("current", i === current); });
    reports[current].focus({ preventScroll: true });
    if (scroll) {  // its top just below the action bar where the bar stays on screen, never under it
      var bar = document.querySelector(".bulk");
      var above = bar && getComputedStyle(bar).position === "sticky" ? bar.offsetHeight : 0;
      window.scrollTo(0, reports[current].getBoundingClientRect().top + window.scrollY - above - 8);
    }
  }
  function chosen() { return document.querySelectorAll(".report input[name=ids]:checked").length; }
  function act(kind) {
    var bulk = chosen() ? document.querySelector("[data-bulk=" + kind + "]") : null;
    (bulk || reports[current].querySelector("[data-act=" + kind + "]")).click();
  }
  function onReports(key) {
    if (key === "j" || key === "ArrowDown") focus(current + 1, true);
    else if (key === "k" || key === "ArrowUp") focus(current - 1, true);
    else if (key === "x") { var box = reports[current].querySelector("input[name=ids]"); box.checked = !box.checked; }
    else if (key === "*") { chooseAll.checked = !chooseAll.checked; toggleAll(); }
    else if (key === "a") act("approve");
    else if (/^[1-9]$/.test(key)) {
      var reason = document.getElementById("reason");
      if (+key > reason.options.length) return false;
      reason.selectedIndex = +key - 1;
      act("reject");
    } else return false;
    return true;
  }
  function toggleAll() {
    document.querySelectorAll(".report input[name=ids]").forEach(function (b) { b.checked = chooseAll.checked; });
  }
  if (chooseAll) chooseAll.addEventListener("change", toggleAll);
  reports.forEach(function (r, i) { r.addEventListener("focusin", function () { current = i; }); });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
              (t.tagName === "INPUT" && t.type !== "checkbox"))) return;
    if (reports.length) { if (onReports(e.key)) e.preventDefault(); return; }
    var button = document.querySelector('[data-key="' + e.key.replace(/["\\]/g, "") + '"]');
    if (button) { e.preventDefault(); button.click(); }
  });
  if (reports.length) focus(0);
})();
