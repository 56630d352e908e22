// The site's query page: the vendored YASGUI, whose queries run in the browser on Oxigraph
// (engine.js) instead of going to an endpoint. The canned questions are its examples and the
// project's prefixes are declared for every query; prefix completion reads this site's own list
// (in place of prefix.cc) and the completers that ask other hosts are off.
import { load, run, ENGINE, config } from "./engine.js";

const root = document.getElementById("query-page");
const status = document.getElementById("engine-status");
const cfg = JSON.parse(document.getElementById("query-config").textContent);
const Yasgui = window.Yasgui;

function start() {
  window.natoeuPredeclare(Yasgui, config.prefixes);
  const here = location.href;
  const dataUrl = new URL(config.data, import.meta.url).href;
  const yasqe = Yasgui.Yasqe.defaults;
  yasqe.autocompleters = ["prefixes", "variables"];
  yasqe.prefixCcApi = new URL("prefixes.json", import.meta.url).href;
  yasqe.value = cfg.example;
  yasqe.editorHeight = "320px";
  Yasgui.defaults.endpointCatalogueOptions.getData = () => [{ endpoint: dataUrl }];

  // every query runs here: the request YASQE would send is never made
  Yasgui.Yasqe.prototype.query = function () {
    const editor = this;
    editor.emit("query", { abort() {} }, {});
    const t0 = performance.now();
    return load().then((engine) => {
      const type = editor.getQueryType();
      let summary;
      try {
        const graph = type === "CONSTRUCT" || type === "DESCRIBE";
        summary = { status: 200, data: run(engine, editor.getValue(), graph),
                    contentType: graph ? "text/turtle" : "application/sparql-results+json" };
      } catch (err) {
        summary = { error: { status: 400, text: String(err && err.message ? err.message : err) } };
      }
      const ms = Math.round(performance.now() - t0);
      editor.emit("queryResponse", summary, ms);
      status.setAttribute("data-state", summary.error ? "error" : "done");
      status.textContent = (summary.error ? "Not answered" : "Answered") + " by " + ENGINE +
        " in " + ms + " ms, on release " + cfg.version + "'s data.";
      return summary;
    });
  };

  root.hidden = false;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: dataUrl, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: "natoeu-site-query",
    populateFromUrl: (tab) => { tab.requestConfig.endpoint = dataUrl; return tab; },
    yasr: { prefixes: config.prefixes },
  });
  window.natoeuYasgui = yasgui;

  const select = document.getElementById("examples");
  cfg.examples.forEach((q, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = q.name + (q.summary ? " \u2014 " + q.summary : "");
    option.title = q.description;
    select.appendChild(option);
  });
  select.addEventListener("change", () => {
    const q = cfg.examples[Number(select.value)];
    select.value = "";
    if (q) yasgui.addTab(true, { name: q.name, yasqe: { value: q.query } }, { avoidDuplicateTabs: true });
  });

  // the graph's IRIs in results open this site's pages, rewritten as a link is about to be used
  const pages = Object.entries(cfg.pages).map(([base, path]) => [base, new URL(path, here).href]);
  const localise = (ev) => {
    const a = ev.target.closest && ev.target.closest("a.iri");
    if (!a) return;
    const href = a.getAttribute("href") || "";
    for (const [base, page] of pages) {
      if (href.startsWith(base)) {
        const local = href.slice(base.length);
        a.setAttribute("href", page.replace("LOCAL", encodeURIComponent(local)));
      }
    }
  };
  for (const type of ["mousedown", "focusin", "touchstart"]) {
    document.getElementById("yasgui").addEventListener(type, localise, true);
  }

  const list = document.getElementById("prefix-list");
  for (const [p, iri] of Object.entries(config.prefixes)) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = p + ":";
    dd.textContent = iri;
    list.append(dt, dd);
  }
  status.textContent = "Queries run in your browser on " + ENGINE.replace(" in your browser", "") +
    ", over release " + cfg.version + "'s data (loaded with the first query).";
  load().then(() => status.setAttribute("data-state", "ready"),
              (err) => { status.className = "error"; status.textContent = "The query engine did not load: " + err.message; });
}

if (Yasgui) start();
