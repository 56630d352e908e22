// The query page: YASGUI (vendored in /static/yasgui/) on this server's /sparql, with the canned
// queries as examples and the project's prefixes. Nothing is fetched from another host: prefix
// completion reads /query/prefixes.json instead of prefix.cc, and the class and property
// completers (which ask lov.linkeddata.es) are off. Without scripts the plain form still works.
(function () {
  "use strict";
  var root = document.getElementById("query-page");
  if (!root || typeof window.Yasgui === "undefined") return;
  var Yasgui = window.Yasgui;

  fetch(root.getAttribute("data-config"), { headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(start)
    .catch(function (err) {
      console.warn("query page: keeping the plain form:", err);
    });

  function start(cfg) {
    window.natoeuPredeclare(Yasgui, cfg.prefixes);
    var here = window.location.href;
    var endpoint = new URL(cfg.endpoint, here).href;
    var form = document.getElementById("editor");

    var yasqe = Yasgui.Yasqe.defaults; // the object Yasgui.defaults.yasqe refers to
    yasqe.autocompleters = ["prefixes", "variables"];
    yasqe.prefixCcApi = new URL(root.getAttribute("data-prefixes"), here).href;
    yasqe.value = form.querySelector("textarea").value;
    yasqe.editorHeight = "320px";
    Yasgui.defaults.endpointCatalogueOptions.getData = function () {
      return [{ endpoint: endpoint }];
    };

    // YASGUI takes over; a ?query= answered by the server is run again in a YASGUI tab
    form.hidden = true;
    document.getElementById("server-results").hidden = true;
    root.hidden = false;

    var yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      persistenceId: "natoeu-query",
      // a shared link (?query=...) opens in a tab and runs, but always against this server
      populateFromUrl: function (tab) {
        tab.requestConfig.endpoint = endpoint;
        return tab;
      },
      yasr: { prefixes: cfg.prefixes },
    });
    window.natoeuYasgui = yasgui; // for the browser tests and the console

    var select = document.getElementById("examples");
    cfg.examples.forEach(function (q, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = q.name + (q.summary ? " \u2014 " + q.summary : "");
      option.title = q.description;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var q = cfg.examples[Number(select.value)];
      select.value = "";
      if (!q) return;
      yasgui.addTab(true, { name: q.name, yasqe: { value: q.query } }, { avoidDuplicateTabs: true });
    });

    // the graph's IRIs in results open this server's pages (/id/..., /ontology#...), rewritten
    // as a link is about to be used: YASR draws its table rows lazily
    function localise(ev) {
      var a = ev.target.closest && ev.target.closest("a.iri");
      if (!a) return;
      var href = a.getAttribute("href") || "";
      Object.keys(cfg.pages).forEach(function (base) {
        if (href.indexOf(base) === 0) a.setAttribute("href", cfg.pages[base] + href.slice(base.length));
      });
    }
    ["mousedown", "focusin", "touchstart"].forEach(function (type) {
      document.getElementById("yasgui").addEventListener(type, localise, true);
    });

    var list = document.getElementById("prefix-list");
    Object.keys(cfg.prefixes).forEach(function (p) {
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = p + ":";
      dd.textContent = cfg.prefixes[p];
      list.appendChild(dt);
      list.appendChild(dd);
    });
  }
})();
