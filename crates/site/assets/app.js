// ruledex: small progressive enhancements. Every page works without this.
(function () {
  "use strict";
  var root = document.documentElement;
  try { var saved = localStorage.getItem("ruledex-theme"); if (saved) root.setAttribute("data-theme", saved); } catch (e) {}
  function ready(f) { if (document.readyState !== "loading") f(); else document.addEventListener("DOMContentLoaded", f); }
  ready(function () {
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var dark = root.getAttribute("data-theme") === "dark" ||
          (!root.getAttribute("data-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches);
        var next = dark ? "light" : "dark";
        root.setAttribute("data-theme", next);
        try { localStorage.setItem("ruledex-theme", next); } catch (e) {}
      });
    }
    // Copy buttons: the code's text without line numbers.
    document.querySelectorAll("button.copy").forEach(function (button) {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var lines = [];
        target.querySelectorAll(".l").forEach(function (line) {
          var text = "";
          line.childNodes.forEach(function (n) { if (n.nodeName !== "I") text += n.textContent; });
          lines.push(text.replace(/\n$/, ""));
        });
        navigator.clipboard.writeText(lines.join("\n")).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy rule body"; }, 1500);
        });
      });
    });
    // Heat-map squares of events without rules: linked here, not in the
    // page (a provider can have thousands).
    document.querySelectorAll(".heat[data-base]").forEach(function (heat) {
      var base = heat.getAttribute("data-base");
      heat.querySelectorAll("i[data-e]").forEach(function (cell) {
        var a = document.createElement("a");
        var e = cell.getAttribute("data-e");
        a.href = base + e + ".html"; a.className = cell.className; a.title = e + ": no rules";
        cell.parentNode.replaceChild(a, cell);
      });
    });
    // Sortable, filterable tables.
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var body = table.tBodies[0];
      if (!body || body.rows.length < 2) return;
      var box = document.createElement("input");
      box.type = "search"; box.className = "filter-box"; box.placeholder = "Filter " + body.rows.length + " rows";
      box.setAttribute("aria-label", "Filter the table");
      table.parentNode.insertBefore(box, table);
      box.addEventListener("input", function () {
        var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(body.rows, function (row) {
          var text = row.textContent.toLowerCase();
          row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        });
      });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
        th.setAttribute("aria-sort", "none"); th.tabIndex = 0;
        function sort() {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.setAttribute("aria-sort", "none"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[column] ? a.cells[column].textContent.trim() : "";
            var y = b.cells[column] ? b.cells[column].textContent.trim() : "";
            var nx = parseFloat(x), ny = parseFloat(y);
            var c = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) ? nx - ny : x.localeCompare(y);
            return asc ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        }
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
      });
    });
  });
})();
