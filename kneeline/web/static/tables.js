// Label every table cell with its column header, so tables can reflow into cards on a phone (style.css).
(function () {
  "use strict";
  document.querySelectorAll("main table").forEach(function (table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!headers.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (!cell.hasAttribute("data-label")) { cell.setAttribute("data-label", headers[i] || ""); }
      });
    });
  });
})();
