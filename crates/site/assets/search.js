// ruledex static search: filters and words over window.RULEDEX_SEARCH
// (and window.RULEDEX_SEARCH_VALUES for `value:`); see search_index.rs.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form || form.getAttribute("data-server") === "1") return;
  var PER_PAGE = 50;
  function split(q) {
    var parts = [], cur = "", quoted = false;
    for (var i = 0; i < q.length; i++) {
      var c = q[i];
      if (c === '"') { quoted = !quoted; continue; }
      if (/\s/.test(c) && !quoted) { if (cur) parts.push(cur); cur = ""; } else cur += c;
    }
    if (cur) parts.push(cur);
    return parts.slice(0, 64);
  }
  function effective(params) {
    var q = (params.get("q") || "").trim();
    ["lang", "platform", "class", "technique", "field"].forEach(function (k) {
      var v = (params.get(k) || "").trim();
      if (v) q += (q ? " " : "") + k + ":" + (/\s/.test(v) ? '"' + v + '"' : v);
    });
    return q.slice(0, 2000);
  }
  // Filter names and aliases come with the index: the same table as the
  // server's search, so both know the same filters.
  function aliases(index) {
    var map = {};
    index.filters.forEach(function (f) { f[1].forEach(function (a) { map[a] = f[0]; }); });
    return map;
  }
  // Where a filter's value positions sit in a rule row: after title, page,
  // description and names (file path and id), in filter order, `value`
  // excepted (its own script).
  function columns(index) {
    var at = {}, next = 4;
    index.filters.forEach(function (f) { if (f[0] !== "value") at[f[0]] = next++; });
    return at;
  }
  function matcher(index, values, query) {
    var tests = [], error = null, needsValues = false, names = aliases(index), at = columns(index);
    split(query).forEach(function (part) {
      var neg = part.length > 1 && part[0] === "-";
      if (neg) part = part.slice(1);
      var colon = part.indexOf(":"), test;
      if (colon > 0 && colon < part.length - 1) {
        var name = names[part.slice(0, colon).toLowerCase()], value = part.slice(colon + 1).toLowerCase();
        if (!name) { error = "unknown filter `" + part.slice(0, colon) + ":` (known: " + index.filters.map(function (f) { return f[0]; }).join(", ") + ")"; return; }
        if (name === "value") {
          if (!values) { needsValues = true; return; }
          var v = values.table.indexOf(value);
          test = function (r, i) { return v >= 0 && values.rules[i].indexOf(v) >= 0; };
        } else {
          var p = index.tables[name].indexOf(value), column = at[name];
          test = function (r) { return p >= 0 && r[column].indexOf(p) >= 0; };
        }
      } else {
        var word = part.toLowerCase();
        test = function (r) { return r[0].toLowerCase().indexOf(word) >= 0 || r[2].indexOf(word) >= 0 || r[3].indexOf(word) >= 0; };
      }
      tests.push(neg ? function (r, i) { return !test(r, i); } : test);
    });
    return {
      error: error, needsValues: needsValues, at: at,
      test: function (r, i) { return tests.every(function (t) { return t(r, i); }); }
    };
  }
  // The indicator values are a separate, larger script, fetched only for a
  // `value:` filter (a script element, so it loads from disk too).
  function loadValues(root, then) {
    var s = document.createElement("script");
    s.src = root + "assets/search-values.js";
    s.onload = function () { then(null); };
    s.onerror = function () { then(new Error("could not load " + s.src)); };
    document.head.appendChild(s);
  }
  function text(tag, content, cls) { var e = document.createElement(tag); e.textContent = content; if (cls) e.className = cls; return e; }
  function run() {
    var index = window.RULEDEX_SEARCH, results = document.getElementById("results");
    var params = new URLSearchParams(window.location.search);
    var query = effective(params);
    ["q", "lang", "platform", "class", "technique", "field"].forEach(function (k) {
      if (params.get(k) && form.elements[k]) form.elements[k].value = params.get(k);
    });
    if (!index || !results || !query) return;
    var root = form.getAttribute("action").replace(/search\.html$/, "");
    var m = matcher(index, window.RULEDEX_SEARCH_VALUES, query);
    results.textContent = "";
    if (m.error) { results.appendChild(text("p", m.error, "error")).setAttribute("role", "alert"); return; }
    if (m.needsValues) {
      results.appendChild(text("p", "Loading indicator values…", "muted"));
      loadValues(root, function (failed) {
        if (failed || !window.RULEDEX_SEARCH_VALUES) {
          results.textContent = "";
          results.appendChild(text("p", "The indicator values could not be loaded, so `value:` filters cannot run here.", "error")).setAttribute("role", "alert");
          return;
        }
        run();
      });
      return;
    }
    var hits = index.rules.filter(m.test);
    var page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    var count = results.appendChild(text("p", hits.length + " rules match "));
    count.id = "result-count";
    count.appendChild(text("code", query));
    var list = results.appendChild(document.createElement("ol"));
    list.className = "results"; list.start = (page - 1) * PER_PAGE + 1;
    hits.slice((page - 1) * PER_PAGE, page * PER_PAGE).forEach(function (r) {
      var li = list.appendChild(document.createElement("li"));
      var a = li.appendChild(text("a", r[0]));
      a.href = root + r[1];
      // One badge where language and platform are the same (Sigma).
      var lang = index.tables.lang[r[m.at.lang][0]], platform = index.tables.platform[r[m.at.platform][0]];
      li.appendChild(document.createTextNode(" "));
      if (lang === platform) li.appendChild(text("span", lang, "badge lang platform"));
      else {
        li.appendChild(text("span", lang, "badge lang"));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(text("span", platform, "badge platform"));
      }
    });
    function pageLink(n, label) {
      params.set("page", String(n));
      var a = text("a", label); a.href = "?" + params.toString(); results.appendChild(a); results.appendChild(document.createTextNode(" "));
    }
    if (page > 1) pageLink(page - 1, "Previous");
    if (page * PER_PAGE < hits.length) pageLink(page + 1, "Next");
  }
  run();
})();
