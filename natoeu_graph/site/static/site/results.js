// Answers drawn as the server draws them (the results macro of the shared templates): a row count
// with downloads, then a table whose cells link the graph's own IRIs to their pages by label.
import { config } from "./engine.js";

const index = window.natoeuIndex || { entries: [] };
const byIri = new Map(index.entries.map((e) => [e.i, e]));
const root = new URL("../../", import.meta.url);

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    const own = byIri.get(term.value);
    if (own) {
      a.href = new URL(own.h, root).href;
      a.textContent = own.l;
      a.title = term.value;
    } else {
      a.href = term.value;
      a.className = "ext";
      a.textContent = term.value;
      if (!/^https?:/i.test(term.value)) return text(td, term.value);
    }
    td.appendChild(a);
    return td;
  }
  if (term.type === "bnode") return text(td, "_:" + term.value);
  text(td, term.value);
  const lang = term["xml:lang"];
  if (lang && lang !== "en") {
    const note = document.createElement("span");
    note.className = "muted";
    note.textContent = " @" + lang;
    td.appendChild(note);
  }
  return td;
}

function text(el, value) {
  el.appendChild(document.createTextNode(value));
  return el;
}

// SPARQL 1.1 Query Results CSV: lexical forms, quoted where needed, CRLF lines.
export function toCsv(doc, sep) {
  const quote = (v) => (sep === "," && /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
  const vars = doc.head.vars;
  const lines = [vars.join(sep)];
  for (const b of doc.results.bindings) {
    lines.push(vars.map((v) => {
      const t = b[v];
      if (!t) return "";
      return quote(t.type === "bnode" ? "_:" + t.value : t.value);
    }).join(sep));
  }
  return lines.join("\r\n") + "\r\n";
}

function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.textContent = name.split(".").pop();
  return a;
}

export function draw(target, doc, fileName) {
  target.textContent = "";
  if ("boolean" in doc) {
    const p = document.createElement("p");
    p.id = "answer";
    p.append("Answer: ");
    const strong = document.createElement("strong");
    strong.textContent = doc.boolean ? "yes" : "no";
    p.appendChild(strong);
    target.appendChild(p);
    return;
  }
  const rows = doc.results.bindings;
  const count = document.createElement("p");
  count.className = "muted";
  count.id = "row-count";
  count.append(rows.length + " row" + (rows.length === 1 ? "" : "s") + " \u00b7 download ");
  count.append(download(fileName + ".json", JSON.stringify(doc), "application/sparql-results+json"),
    ", ", download(fileName + ".csv", toCsv(doc, ","), "text/csv"),
    ", ", download(fileName + ".tsv", toCsv(doc, "\t"), "text/tab-separated-values"));
  const scroll = document.createElement("div");
  scroll.className = "scroll";
  const table = document.createElement("table");
  table.className = "list";
  table.id = "results";
  const head = table.createTHead().insertRow();
  for (const v of doc.head.vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const b of rows) {
    const tr = body.insertRow();
    for (const v of doc.head.vars) tr.appendChild(cell(b[v]));
  }
  scroll.appendChild(table);
  target.append(count, scroll);
}

export { config };
