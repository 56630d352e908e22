// SPARQL in the reader's browser: Oxigraph's WebAssembly build (vendored in ../oxigraph/, the
// engine natoeu itself runs through pyoxigraph) over this release's data, loaded from this site.
// The dataset is the one `natoeu serve` answers on: three named graphs (ontology, asserted,
// inferred) and their merge as the default graph. Nothing is fetched from another host.
import init, * as ox from "../oxigraph/web.js";
import config from "./config.js";

let loading = null;

// The engine and the data, loaded once per page; times kept for the page and the benchmark.
export function load() {
  if (!loading) {
    loading = (async () => {
      const t0 = performance.now();
      const data = fetch(new URL(config.data, import.meta.url)).then((r) => {
        if (!r.ok) throw new Error("the data file answered HTTP " + r.status);
        return r.text();
      });
      await init();
      const t1 = performance.now();
      const text = await data;
      const store = new ox.Store();
      store.load(text, { format: "application/n-quads" });
      const graphs = config.graphs.map((g) => ox.namedNode(g));
      const t2 = performance.now();
      return { store, graphs, timing: { engine: t1 - t0, data: t2 - t1, ready: t2 } };
    })();
  }
  return loading;
}

// The project's prefixes are declared for every query, as for `natoeu query` and `natoeu serve`;
// a query's own PREFIX declarations win.
export function withPrefixes(text) {
  const own = new Set();
  for (const m of text.matchAll(/\bPREFIX\s+([A-Za-z][\w.-]*)?:/gi)) own.add(m[1] || "");
  let head = "";
  for (const [p, iri] of Object.entries(config.prefixes)) {
    if (!own.has(p)) head += "PREFIX " + p + ": <" + iri + ">\n";
  }
  return head + text;
}

// Run a query: SPARQL JSON results (SELECT, ASK) or Turtle (CONSTRUCT, DESCRIBE) as text.
export function run(engine, text, graphResult) {
  return engine.store.query(withPrefixes(text), {
    default_graph: engine.graphs,
    named_graphs: engine.graphs,
    results_format: graphResult ? "text/turtle" : "application/sparql-results+json",
  });
}

export const ENGINE = "Oxigraph " + config.oxigraph + " (WebAssembly) in your browser";
export { config };
