// A canned question's page: its parameters from the page's own URL (?date=2018-07-01, so a link
// shares an answer), checked as `natoeu query` checks them, written into the query as terms, and
// the answer computed in the browser by Oxigraph on this release's data.
import { load, run, ENGINE } from "./engine.js";
import { draw, config } from "./results.js";

const XSD = "http://www.w3.org/2001/XMLSchema#";
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|^`\\]+$/;
const status = document.getElementById("engine-status");
const spec = JSON.parse(document.getElementById("query-spec").textContent);
window.natoeuTiming = { start: performance.now() };

class ParamError extends Error {}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
}

function expand(raw) {
  const i = raw.indexOf(":");
  const prefix = raw.slice(0, i);
  const local = raw.slice(i + 1);
  const iri = i > 0 && prefix in config.prefixes && !local.startsWith("//")
    ? config.prefixes[prefix] + local : raw;
  return ABSOLUTE_IRI.test(iri) ? iri : null;
}

function byLabel(name, raw) {
  const wanted = raw.toLowerCase();
  const hits = (window.natoeuIndex || { entries: [] }).entries.filter(
    (e) => e.l.toLowerCase() === wanted || (e.a || []).some((a) => a.toLowerCase() === wanted));
  if (hits.length === 1) return hits[0].i;
  if (hits.length > 1) {
    throw new ParamError("parameter " + name + "=" + JSON.stringify(raw) + " is the label of " +
      hits.length + " entities: " + hits.map((h) => h.l + " (" + h.i + ")").join("; "));
  }
  throw new ParamError("parameter " + name + "=" + JSON.stringify(raw) +
    " names no entity in the graph: it is not an IRI and no label equals it");
}

function term(p, raw) {
  if (p.kind === "xsd_date") {
    const value = raw === "today" ? today() : raw;
    const d = new Date(value + "T00:00:00Z");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || isNaN(d) || d.toISOString().slice(0, 10) !== value) {
      throw new ParamError("parameter " + p.name + "=" + JSON.stringify(raw) + " is not a date: " +
        "give it as YYYY-MM-DD or 'today', e.g. " + p.name + "=2018-07-01");
    }
    return '"' + value + '"^^<' + XSD + "date>";
  }
  if (p.kind === "xsd_integer") {
    if (!/^[+-]?\d{1,18}$/.test(raw)) {
      throw new ParamError("parameter " + p.name + "=" + JSON.stringify(raw) + " is not an integer");
    }
    return '"' + BigInt(raw).toString() + '"^^<' + XSD + "integer>";
  }
  if (p.kind === "iri") return "<" + (expand(raw) || byLabel(p.name, raw)) + ">";
  return JSON.stringify(raw);
}

function bind(params) {
  const known = new Set(spec.params.map((p) => p.name));
  const unknown = [...params.keys()].filter((k) => !known.has(k)).sort();
  if (unknown.length) {
    throw new ParamError("query '" + spec.name + "' has no parameter " + unknown.join(", ") +
      "; its parameters: " + (spec.params.map((p) => p.name).join(", ") || "none"));
  }
  let text = spec.text;
  const iris = [];
  for (const p of spec.params) {
    const raw = params.has(p.name) ? params.get(p.name) : p.default;
    if (raw === null || raw === undefined) {
      throw new ParamError("query '" + spec.name + "' needs a value for its parameter " + p.name);
    }
    const value = term(p, raw);
    if (p.kind === "iri") iris.push([p.name, raw, value]);
    text = text.replace(new RegExp("[?$]" + p.variable + "\\b", "g"), () => value);
  }
  return { text, iris };
}

function fail(message) {
  status.className = "error";
  status.setAttribute("role", "alert");
  status.setAttribute("data-state", "error");
  status.textContent = message;
}

async function answer() {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of params) {
    const input = document.querySelector("#canned-form input[name='" + CSS.escape(k) + "']");
    if (input) input.value = v;
  }
  if (spec.external) {
    fail("This question joins data the site does not hold (" + spec.external + "): run it with " +
      "`natoeu query " + spec.name + " --with FILE`.");
    return;
  }
  let bound;
  try {
    bound = bind(params);
  } catch (err) {
    if (err instanceof ParamError) return fail("Error 400: " + err.message);
    throw err;
  }
  status.textContent = "Loading the query engine and this release's data\u2026";
  const engine = await load();
  for (const [name, raw, value] of bound.iris) {  // an IRI must name something, as in the CLI
    const ask = JSON.parse(run(engine, "ASK { { " + value + " ?p ?o } UNION { ?s ?p " + value + " } }"));
    if (!ask.boolean) return fail("Error 400: parameter " + name + "=" + JSON.stringify(raw) +
      " names no entity in the graph: no triple mentions it");
  }
  const t0 = performance.now();
  const doc = JSON.parse(run(engine, bound.text));
  const t1 = performance.now();
  draw(document.getElementById("answer"), doc, spec.name);
  window.natoeuAnswer = doc;
  Object.assign(window.natoeuTiming, engine.timing, { query: t1 - t0, answered: t1 });
  status.setAttribute("data-state", "done");
  status.textContent = "Answered in " + Math.round(t1 - t0) + " ms by " + ENGINE + " (engine " +
    Math.round(engine.timing.engine) + " ms, data " + Math.round(engine.timing.data) +
    " ms to load). " + spec.engine_note;
}

answer().catch((err) => fail("The query could not run: " + (err && err.message ? err.message : err)));
