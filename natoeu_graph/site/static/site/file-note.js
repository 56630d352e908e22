// Opened from disk (file://), a browser loads no module script, WebAssembly or data file, so the
// parts of a page that run SPARQL cannot start: say so where the answer would be, and how to
// serve the folder instead. Every other page (entities, search, timeline) works from disk.
(function () {
  "use strict";
  if (location.protocol !== "file:") return;
  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("engine-status");
    if (!status) return;
    status.setAttribute("data-state", "file");
    status.className = "error";
    status.textContent = "This page runs SPARQL in your browser, and browsers do not let a page " +
      "opened from disk (file://) load the query engine (a WebAssembly module) or the data. " +
      "Serve this folder over HTTP instead, for example with `python3 -m http.server` run in " +
      "it, then open http://localhost:8000/. Entity pages, search and the timeline work from disk.";
  });
})();
