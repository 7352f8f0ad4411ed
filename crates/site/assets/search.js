// ruledex static search: filters and words over window.RULEDEX_SEARCH.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form || form.getAttribute("data-server") === "1") return;
  var ALIASES = { t: "technique", technique: "technique", techniques: "technique", tactic: "tactic", tactics: "tactic",
    lang: "lang", language: "lang", platform: "platform", logsource: "logsource", log: "logsource", ls: "logsource",
    field: "field", fields: "field", "class": "class", severity: "severity", sev: "severity", source: "source", repo: "source", id: "id" };
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
  function matcher(index, query) {
    var tests = [], error = null;
    split(query).forEach(function (part) {
      var neg = part.length > 1 && part[0] === "-";
      if (neg) part = part.slice(1);
      var colon = part.indexOf(":"), test;
      if (colon > 0 && colon < part.length - 1) {
        var name = ALIASES[part.slice(0, colon).toLowerCase()], value = part.slice(colon + 1).toLowerCase();
        if (!name) { error = "unknown filter `" + part.slice(0, colon) + ":` (this static search knows: " + Object.keys(ALIASES).join(", ") + ")"; return; }
        test = function (r) {
          switch (name) {
            case "lang": return index.lang[r[2]] === value;
            case "platform": return index.platform[r[3]] === value;
            case "severity": return r[4] === value;
            case "class": return r[5].split(" ").indexOf(value) >= 0;
            case "technique": return r[6].split(" ").indexOf(value) >= 0;
            case "tactic": return r[7].split(" ").indexOf(value) >= 0;
            case "logsource": return r[8].some(function (i) { return index.logsource[i] === value; });
            case "field": return r[9].split(" ").indexOf(value) >= 0;
            case "source": return r[11] === value;
            case "id": return r[12] === value;
          }
          return false;
        };
      } else {
        var word = part.toLowerCase();
        test = function (r) { return r[0].toLowerCase().indexOf(word) >= 0 || r[10].indexOf(word) >= 0; };
      }
      tests.push(neg ? function (r) { return !test(r); } : test);
    });
    return { error: error, test: function (r) { return tests.every(function (t) { return t(r); }); } };
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
    var m = matcher(index, query);
    results.textContent = "";
    if (m.error) { results.appendChild(text("p", m.error, "error")).setAttribute("role", "alert"); return; }
    var hits = index.rules.filter(m.test);
    var page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    var count = results.appendChild(text("p", hits.length + " rules match "));
    count.id = "result-count";
    count.appendChild(text("code", query));
    var list = results.appendChild(document.createElement("ol"));
    list.className = "results"; list.start = (page - 1) * PER_PAGE + 1;
    var root = form.getAttribute("action").replace(/search\.html$/, "");
    hits.slice((page - 1) * PER_PAGE, page * PER_PAGE).forEach(function (r) {
      var li = list.appendChild(document.createElement("li"));
      var a = li.appendChild(text("a", r[0]));
      a.href = root + r[1];
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text("span", index.lang[r[2]], "badge"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text("span", index.platform[r[3]], "badge"));
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
