// Sortable tables and the files filter of the lintslim audit report.  No network, no library.
// A cell's sort key is its data-key attribute when it has one (an empty key, an unknown value, sorts
// last in either direction), else its text.  Number columns (th data-type="number") sort numerically.
"use strict";

(function () {
  function cellKey(row, column, numeric) {
    var cell = row.cells[column];
    var raw = cell.hasAttribute("data-key") ? cell.getAttribute("data-key") : cell.textContent.trim();
    if (raw === "") return null;
    if (!numeric) return raw.toLowerCase();
    var number = parseFloat(raw.replace(/,/g, ""));
    return isNaN(number) ? null : number;
  }

  // Unknown keys last whatever the direction; equal keys keep their order (the sort is stable).
  function order(a, b, descending) {
    if (a.key === b.key) return a.index - b.index;
    if (a.key === null) return 1;
    if (b.key === null) return -1;
    var ascending = a.key < b.key ? -1 : 1;
    return descending ? -ascending : ascending;
  }

  function sortTable(table, header) {
    var headers = table.tHead.rows[0].cells;
    var column = Array.prototype.indexOf.call(headers, header);
    var numeric = header.getAttribute("data-type") === "number";
    // A number column sorts largest first on the first click, text A to Z.
    var current = header.getAttribute("aria-sort");
    var descending = current === "none" || current === null ? numeric : current === "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (row, index) {
      return { row: row, index: index, key: cellKey(row, column, numeric) };
    });
    rows.sort(function (a, b) { return order(a, b, descending); });
    // Empty the body in one go, then put the rows back in order: moving rows out one by one costs
    // Chromium time that grows with the row's position (seconds for 10,000 rows).
    body.textContent = "";
    var fragment = document.createDocumentFragment();
    rows.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(headers, function (th) {
      th.setAttribute("aria-sort", th === header ? (descending ? "descending" : "ascending") : "none");
    });
  }

  function filterRows(table, input, status) {
    var needle = input.value.trim().toLowerCase();
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.searchText === undefined) row.searchText = row.textContent.toLowerCase();
      var visible = needle === "" || row.searchText.indexOf(needle) !== -1;
      row.hidden = !visible;
      if (visible) shown++;
    }
    status.textContent = shown + " of " + rows.length + " shown";
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.tHead.querySelectorAll("th button").forEach(function (button) {
      // A <button> is focusable and activated by Enter and Space: the keyboard sorts as the mouse does.
      button.addEventListener("click", function () { sortTable(table, button.parentElement); });
    });
  });

  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var status = document.getElementById(input.getAttribute("data-filter") + "-shown");
    var timer = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { filterRows(table, input, status); }, 120);
    });
  });
})();
