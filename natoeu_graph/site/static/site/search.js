// Search by label, offline: the index (index.js, a plain script, so it loads from disk too) lists
// every entity and ontology term with its labels, type and page.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("hits");
  var count = document.getElementById("hit-count");
  if (!input || !window.natoeuIndex) return;
  var entries = window.natoeuIndex.entries;
  var fold = function (s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var keys = entries.map(function (e) {
    return [e.l].concat(e.a || [], [e.i.replace(/^.*[\/#]/, "")]).map(fold);
  });
  var root = document.documentElement.getAttribute("data-root") || "";

  function show() {
    var q = fold(input.value.trim());
    list.textContent = "";
    if (!q) { count.textContent = ""; return; }
    var hits = [];
    entries.forEach(function (e, i) {
      var best = -1;
      keys[i].forEach(function (k) {
        var at = k.indexOf(q);
        if (at === 0) best = Math.max(best, 2);
        else if (at > 0) best = Math.max(best, 1);
      });
      if (best >= 0) hits.push([best, e]);
    });
    hits.sort(function (a, b) { return b[0] - a[0] || a[1].l.localeCompare(b[1].l); });
    count.textContent = hits.length + " match" + (hits.length === 1 ? "" : "es");
    hits.slice(0, 100).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h[1].h;
      a.textContent = h[1].l;
      a.title = h[1].i;
      li.appendChild(a);
      if (h[1].t) {
        var t = document.createElement("span");
        t.className = "muted";
        t.textContent = " " + h[1].t;
        li.appendChild(t);
      }
      list.appendChild(li);
    });
  }
  input.addEventListener("input", show);
  var given = new URLSearchParams(location.search).get("q");
  if (given) input.value = given;
  show();
})();
