// Ctrl+Enter (or Cmd+Enter) in the query box runs the query; Tab inserts two spaces.
(function () {
  var form = document.getElementById("editor");
  if (!form) return;
  var box = form.querySelector("textarea");
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.submit(); }
    else if (ev.key === "Tab" && !ev.shiftKey) {
      ev.preventDefault();
      var s = box.selectionStart;
      box.value = box.value.slice(0, s) + "  " + box.value.slice(box.selectionEnd);
      box.selectionStart = box.selectionEnd = s + 2;
    }
  });
})();
