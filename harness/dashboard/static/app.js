// fmagent dashboard: polls the JSON API every 2 s and draws everything with inline SVG.
// No external code, no inline script (the page is served with a strict CSP).
"use strict";

const POLL_MS = 2000;
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"];
const SVGNS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

const state = {
  token: "", islands: 0, overview: null,
  since: { program: 0, stats: 0, event: 0 },
  programs: [],   // {seq, island, valid, fitness, score, t}
  stats: [],      // island_stats rows
  events: [],
  sort: "seq", desc: true, selected: null, nIslandsShown: -1,
};

// ------------------------------------------------------------------ API
function readToken() {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) { sessionStorage.setItem("fmagent-token", decodeURIComponent(m[1])); }
  state.token = sessionStorage.getItem("fmagent-token") || "";
  $("tokenbox").classList.toggle("hidden", !!state.token);
}

async function api(path, body) {
  const opts = { headers: { "X-FMAgent-Token": state.token } };
  if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    if (r.status === 401) { $("tokenbox").classList.remove("hidden"); }
    const d = data && data.detail;
    throw new Error(typeof d === "string" ? d : (d ? JSON.stringify(d) : r.status + " " + r.statusText));
  }
  return data;
}

function showError(e) {
  const el = $("error");
  if (e) { el.textContent = String(e.message || e); el.classList.remove("hidden"); }
  else { el.classList.add("hidden"); }
}

// ------------------------------------------------------------------ helpers
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}
function fmt(x, d) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (typeof x !== "number") return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  const t = x.toFixed(d === undefined ? 4 : d);
  return t.includes(".") ? t.replace(/\.?0+$/, "") : t;
}
function when(t) { return t ? new Date(t * 1000).toLocaleTimeString() : "–"; }
function pidLink(id) { return el("a", { class: "pid", "data-pid": id, onclick: () => openProgram(id) }, id); }

// ------------------------------------------------------------------ charts (inline SVG)
// series: [{name, color, points: [[x, y], ...], step}], markers: [{x, label}]
function lineChart(node, series, opts) {
  const W = 560, H = 260, L = 56, R = 96, T = 10, B = 30;
  while (node.firstChild) node.removeChild(node.firstChild);
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]));
  node.setAttribute("data-points", String(pts.length));
  if (!pts.length) {
    const t = svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" });
    t.textContent = opts.empty || "no data yet";
    node.append(t);
    return;
  }
  let x0 = Math.min(...pts.map((p) => p[0])), x1 = Math.max(...pts.map((p) => p[0]));
  let y0 = Math.min(...pts.map((p) => p[1])), y1 = Math.max(...pts.map((p) => p[1]));
  if (opts.xEnd !== undefined) x1 = Math.max(x1, opts.xEnd);
  if (opts.y0 !== undefined) y0 = Math.min(y0, opts.y0);
  if (opts.y1 !== undefined) y1 = Math.max(y1, opts.y1);
  if (x1 === x0) { x1 = x0 + 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.05 || 1; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + (y1 - y0) * i / 4, y = sy(yv);
    node.append(svg("line", { x1: L, x2: W - R, y1: y, y2: y, class: "grid-line" }));
    const t = svg("text", { x: L - 4, y: y + 3, "text-anchor": "end" }); t.textContent = fmt(yv, 3); node.append(t);
    const xv = x0 + (x1 - x0) * i / 4;
    const tx = svg("text", { x: sx(xv), y: H - B + 14, "text-anchor": "middle" });
    tx.textContent = fmt(xv, xv > 100 ? 0 : 1); node.append(tx);
  }
  node.append(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }));
  node.append(svg("line", { x1: L, x2: L, y1: T, y2: H - B, class: "axis" }));
  const xl = svg("text", { x: (L + W - R) / 2, y: H - 2, "text-anchor": "middle" });
  xl.textContent = opts.xlabel || "evaluation"; node.append(xl);
  for (const m of opts.markers || []) {
    if (m.x < x0 || m.x > x1) continue;
    const line = svg("line", { x1: sx(m.x), x2: sx(m.x), y1: T, y2: H - B, class: "marker", "data-kind": "instruction" });
    const title = svg("title", {}); title.textContent = m.label; line.append(title);
    node.append(line);
  }
  series.forEach((s, i) => {
    const p = s.points.filter((q) => Number.isFinite(q[1]));
    if (!p.length) return;
    let d = "";
    p.forEach((q, j) => {
      if (j === 0) d += `M${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`;
      else if (s.step) d += `H${sx(q[0]).toFixed(1)}V${sy(q[1]).toFixed(1)}`;
      else d += `L${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`;
    });
    if (s.step && opts.xEnd !== undefined) d += `H${sx(x1).toFixed(1)}`;
    const path = svg("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.6, class: "series", "data-series": s.name });
    node.append(path);
    const last = p[p.length - 1];  // a dot on the latest value (a lone point has no line)
    node.append(svg("circle", { cx: sx(last[0]).toFixed(1), cy: sy(last[1]).toFixed(1), r: 2.5, fill: s.color, class: "dot" }));
    const ly = T + 12 + i * 14;
    node.append(svg("line", { x1: W - R + 8, x2: W - R + 22, y1: ly - 3, y2: ly - 3, stroke: s.color, "stroke-width": 2 }));
    const lt = svg("text", { x: W - R + 26, y: ly }); lt.textContent = s.name; node.append(lt);
  });
}

function islandColor(i) { return i < 0 ? "#444" : COLORS[i % COLORS.length]; }
function islandName(i) { return i < 0 ? "cold start" : "island " + i; }

function drawCharts() {
  const ov = state.overview || {};
  const markers = state.events.filter((e) => e.kind === "instruction").map((e) => ({
    x: e.n_evals, label: `instruction${e.island === null ? "" : " (island " + e.island + ")"}: ${(e.data || {}).text || ""}` }));
  // best score per island: running best by fitness, plotted as the raw score
  const best = new Map(), bestSeries = new Map();
  let lastSeq = 0;
  for (const p of state.programs) {
    lastSeq = p.seq;
    if (!p.valid || p.fitness === null) continue;
    const b = best.get(p.island);
    if (b === undefined || p.fitness > b) {
      best.set(p.island, p.fitness);
      if (!bestSeries.has(p.island)) bestSeries.set(p.island, []);
      bestSeries.get(p.island).push([p.seq, p.score !== null ? p.score : p.fitness]);
    }
  }
  const keys = [...bestSeries.keys()].sort((a, b) => a - b);
  lineChart($("chart-best"), keys.map((k) => ({ name: islandName(k), color: islandColor(k), points: bestSeries.get(k), step: true })),
    { markers, xEnd: lastSeq, empty: "waiting for the first valid program" });
  const per = (field) => {
    const m = new Map();
    for (const r of state.stats) {
      if (!m.has(r.island)) m.set(r.island, []);
      m.get(r.island).push([r.n_evals, r[field] === null ? NaN : r[field]]);
    }
    return [...m.keys()].sort((a, b) => a - b).map((k) => ({ name: islandName(k), color: islandColor(k), points: m.get(k) }));
  };
  lineChart($("chart-diversity"), per("diversity"), { markers, y0: 0, empty: "statistics start after the cold start" });
  lineChart($("chart-temperature"), per("temperature"), { markers, y0: 0, empty: "statistics start after the cold start" });
  // throughput: evaluations per minute over a sliding window of 10 programs
  const tp = [], P = state.programs, w = 10;
  for (let i = w; i < P.length; i++) {
    const dt = (P[i].t || 0) - (P[i - w].t || 0);
    if (dt > 0) tp.push([P[i].seq, 60 * w / dt]);
  }
  lineChart($("chart-throughput"), [{ name: "evals/min", color: "#1f77b4", points: tp }], { markers, y0: 0 });
  // pool utilisation: in-flight work over slots, from the statistics rows (one per island per tick)
  const ticks = new Map();
  for (const r of state.stats) ticks.set(r.n_evals, r);
  const rows = [...ticks.values()];
  const gcap = ov.proposals_in_flight || Math.max(1, ...rows.map((r) => r.gen_inflight || 0));
  const ecap = ov.evals_in_flight || Math.max(1, ...rows.map((r) => r.eval_inflight || 0));
  lineChart($("chart-util"), [
    { name: "generation", color: "#9467bd", points: rows.map((r) => [r.n_evals, 100 * (r.gen_inflight || 0) / gcap]) },
    { name: "evaluation", color: "#2ca02c", points: rows.map((r) => [r.n_evals, 100 * (r.eval_inflight || 0) / ecap]) },
  ], { markers, y0: 0, y1: 100, empty: "statistics start after the cold start" });
}

function drawTimeline() {
  const box = $("timeline");
  box.replaceChildren(...state.events.slice(-200).reverse().map((e) => {
    const d = e.data || {};
    let text = `${when(e.t)} · eval ${e.n_evals} · ${e.kind}`;
    if (e.island !== null && e.island !== undefined) text += ` · island ${e.island}`;
    if (e.kind === "instruction") text += `: ${d.text || ""}`;
    else if (e.kind === "new_best") text += `: score ${fmt(d.score)}`;
    else if (e.kind === "stop") text += `: ${d.reason || ""}`;
    else if (e.kind === "migration") text += `: ${d.moved || 0} moved`;
    const row = el("div", { class: e.kind }, text);
    if (d.program_id) { row.append(" "); row.append(pidLink(d.program_id)); }
    return row;
  }));
}

// ------------------------------------------------------------------ header
function drawOverview() {
  const o = state.overview;
  $("task").textContent = `${o.task || "(no manifest)"} · ${o.status || "?"}`;
  const best = o.best;
  const el0 = o.first_t && o.last_t ? o.last_t - o.first_t : 0;
  const items = [
    ["evaluations", `${o.evaluations}${o.max_evals ? " / " + o.max_evals : ""}`],
    ["valid", o.evaluations ? `${o.valid} (${Math.round(100 * o.valid / o.evaluations)}%)` : "–"],
    ["best score", best ? `${fmt(best.score)} (${islandName(best.island)})` : "–"],
    ["direction", o.direction || "?"], ["islands", o.islands],
    ["elapsed", `${Math.round(el0)} s`],
    ["evals/min", el0 > 0 ? fmt(60 * o.evaluations / el0, 1) : "–"],
    ["LLM cost", `$${fmt(o.cost_usd || 0, 4)}`],
  ];
  if (o.stop_reason) items.push(["stopped", o.stop_reason]);
  $("stats").replaceChildren(...items.map(([k, v]) => el("span", {}, `${k}: `, el("b", {}, v))));
  if (o.islands !== state.nIslandsShown) {
    state.nIslandsShown = o.islands;
    for (const sel of document.querySelectorAll(".island-select")) {
      const first = sel.options[0];
      sel.replaceChildren(first, ...Array.from({ length: o.islands }, (_, i) => el("option", { value: String(i) }, `island ${i}`)));
    }
  }
}

// ------------------------------------------------------------------ programs table
let tableBusy = false;
async function refreshTable() {
  if (tableBusy) return;
  tableBusy = true;
  try {
    const qs = new URLSearchParams({ sort: state.sort, desc: String(state.desc), limit: "200" });
    if ($("f-island").value !== "") qs.set("island", $("f-island").value);
    if ($("f-valid").value !== "") qs.set("valid", $("f-valid").value);
    if ($("f-q").value.trim()) qs.set("q", $("f-q").value.trim());
    const data = await api("/api/programs?" + qs);
    const bestId = state.overview && state.overview.best ? state.overview.best.id : null;
    $("prog-count").textContent = `${data.total} shown of ${state.overview ? state.overview.evaluations : "?"}`;
    $("programs").querySelector("tbody").replaceChildren(...data.programs.map((p) => {
      const tr = el("tr", { class: (p.valid ? "" : "invalid") + (p.id === bestId ? " best" : ""), "data-pid": p.id, "data-seq": String(p.seq) },
        el("td", {}, p.seq), el("td", {}, p.id), el("td", {}, p.island), el("td", {}, p.generation),
        el("td", {}, p.proposer || ""), el("td", {}, fmt(p.score)), el("td", {}, fmt(p.fitness)),
        el("td", {}, p.valid ? "yes" : "no"), el("td", {}, (p.error || "").slice(0, 80)));
      tr.addEventListener("click", () => openProgram(p.id));
      return tr;
    }));
  } finally { tableBusy = false; }
}

// ------------------------------------------------------------------ program view
async function openProgram(id) {
  const p = await api("/api/programs/" + encodeURIComponent(id));
  state.selected = id;
  $("program-view").classList.remove("hidden");
  $("pv-id").textContent = p.id;
  const r = p.result || {};
  $("pv-head").replaceChildren(...[
    ["island", p.island], ["generation", p.generation], ["proposer", p.proposer || "–"],
    ["model", p.model || "–"], ["valid", p.valid ? "yes" : "no"], ["score", fmt(p.score)],
    ["fitness", fmt(p.fitness)], ["eval time", `${fmt(r.duration_s, 2)} s`],
    ["evaluated", when(p.evaluated_at)], ["LLM cost", `$${fmt(p.llm_cost || 0)}`],
  ].map(([k, v]) => el("span", {}, `${k}: `, el("b", {}, v))));
  const metrics = Object.entries(r.metrics || {});
  $("pv-metrics").replaceChildren(...metrics.map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, fmt(v, 6)))),
    ...(r.error ? [el("tr", {}, el("td", {}, "error"), el("td", {}, r.error))] : []));
  $("pv-feedback").textContent = r.feedback || "(no feedback)";
  $("pv-lineage").replaceChildren(...p.lineage.map((a) => el("li", {}, pidLink(a.id), ` island ${a.island}, gen ${a.generation}, ${a.proposer || ""}, score ${fmt(a.score)}`)));
  $("pv-children").replaceChildren(...p.children.map((c) => el("li", {}, pidLink(c.id), ` island ${c.island}, score ${fmt(c.score)}`)));
  $("pv-retrievals").replaceChildren(...(p.retrievals || []).map((x) => el("li", {}, `${when(x.t)}: ${(x.docs || []).map((d) => String(d).split("\n")[0]).join(", ")}`)));
  $("pv-parent").textContent = p.parent_id ? `(parent ${p.parent_id})` : "(no parent: a seed or an injected program)";
  const diff = $("pv-diff");
  diff.replaceChildren(...(p.diff || "(no parent)").split("\n").map((line) => {
    const cls = line.startsWith("@@") ? "hunk" : line.startsWith("+") && !line.startsWith("+++") ? "add" :
      line.startsWith("-") && !line.startsWith("---") ? "del" : "";
    return el("span", { class: cls }, line + "\n");
  }));
  $("pv-code").textContent = p.code;
  $("program-view").scrollIntoView({ behavior: "smooth", block: "start" });
}

// ------------------------------------------------------------------ interventions and knowledge
async function refreshSide() {
  const [instr, inbox, kb] = await Promise.all([api("/api/instructions"), api("/api/inbox"), api("/api/knowledge")]);
  $("instr-list").replaceChildren(...instr.slice().reverse().map((x) => {
    const btn = el("button", { type: "button", onclick: async () => {
      await api(`/api/instructions/${x.seq}`, { active: !x.active }); poll();
    } }, x.active ? "retire" : "reactivate");
    return el("li", { class: x.active ? "" : "inactive", "data-seq": String(x.seq) },
      `${when(x.t)} → ${x.island === null ? "all islands" : "island " + x.island}: ${x.text} `, btn);
  }));
  $("inbox-list").replaceChildren(...inbox.slice().reverse().map((x) =>
    el("li", {}, `${when(x.t)} → ${x.island === null ? "island 0" : "island " + x.island}: ${x.chars} chars, ${x.taken ? "taken by the run" : "waiting"}`)));
  $("kb-docs").replaceChildren(...kb.documents.map((d) => el("li", {}, `${d.name} (${d.n_chunks} chunks, ${d.chars} chars, ${d.source})`)));
  $("kb-retrievals").replaceChildren(...kb.retrievals.map((x) =>
    el("li", {}, `${when(x.t)} island ${x.island} → `, x.program_id ? pidLink(x.program_id) : "", `: ${(x.docs || []).map((d) => String(d).split("\n")[0]).join(", ")}`)));
}

function wireForms() {
  $("token-save").addEventListener("click", () => {
    sessionStorage.setItem("fmagent-token", $("token-input").value.trim());
    readToken(); poll();
  });
  $("instr-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("instr-text").value.trim();
    if (!text) return;
    const isl = $("instr-island").value;
    try {
      const r = await api("/api/instructions", { text, island: isl === "" ? null : Number(isl) });
      $("instr-status").textContent = `stored as instruction ${r.seq}`;
      $("instr-text").value = "";
      showError(null); poll();
    } catch (e) { showError(e); }
  });
  $("inject-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const code = $("inject-code").value;
    if (!code.trim()) return;
    const isl = $("inject-island").value;
    try {
      const r = await api("/api/inject", { code, island: isl === "" ? null : Number(isl) });
      $("inject-status").textContent = `queued as item ${r.seq}; the run evaluates it in its sandbox`;
      $("inject-code").value = "";
      showError(null); poll();
    } catch (e) { showError(e); }
  });
  $("kb-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const files = Array.from($("kb-files").files || []);
    const done = [];
    try {
      for (const f of files) {
        const text = await f.text();
        const r = await api("/api/knowledge", { name: f.name, text });
        done.push(`${r.name}: ${r.chunks} chunks${r.added ? "" : " (already there)"}`);
      }
      $("kb-status").textContent = done.join("; ");
      showError(null); poll();
    } catch (e) { showError(e); }
  });
  $("kb-search-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = $("kb-query").value.trim();
    if (!q) return;
    try {
      const hits = await api("/api/knowledge/search?" + new URLSearchParams({ q, k: "5" }));
      $("kb-results").replaceChildren(...(hits.length ? hits.map((h) =>
        el("li", {}, el("b", {}, `${h.doc}${h.heading ? " § " + h.heading : ""}`), ` (${fmt(h.score, 3)}) `, h.text.slice(0, 300))) :
        [el("li", {}, "no matching chunk")]));
    } catch (e) { showError(e); }
  });
  $("kb-retrieve").addEventListener("click", async () => {
    const isl = $("kb-island").value;
    try {
      const r = await api("/api/knowledge/retrieve", { query: $("kb-query").value.trim() || null, island: isl === "" ? null : Number(isl) });
      $("kb-status").textContent = `retrieval request ${r.seq}: the next proposal${isl === "" ? "" : " of island " + isl} gets the top chunks`;
    } catch (e) { showError(e); }
  });
  for (const th of document.querySelectorAll("#programs th[data-sort]")) {
    th.addEventListener("click", () => {
      const k = th.getAttribute("data-sort");
      if (state.sort === k) state.desc = !state.desc; else { state.sort = k; state.desc = true; }
      refreshTable().catch(showError);
    });
  }
  for (const id of ["f-island", "f-valid", "f-q"]) {
    $(id).addEventListener("input", () => refreshTable().catch(showError));
  }
  $("prog-filter").addEventListener("submit", (ev) => ev.preventDefault());
  $("pv-close").addEventListener("click", () => { $("program-view").classList.add("hidden"); state.selected = null; });
}

// ------------------------------------------------------------------ the poll loop
let polling = false;
async function poll() {
  if (polling || !state.token) return;
  polling = true;
  try {
    state.overview = await api("/api/overview");
    drawOverview();
    const s = state.since;
    const data = await api(`/api/series?since_program=${s.program}&since_stats=${s.stats}&since_event=${s.event}`);
    if (data.programs.length) { state.programs.push(...data.programs); s.program = data.programs[data.programs.length - 1].seq; }
    if (data.stats.length) { state.stats.push(...data.stats); s.stats = data.stats[data.stats.length - 1].seq; }
    if (data.events.length) { state.events.push(...data.events); s.event = data.events[data.events.length - 1].seq; }
    drawCharts();
    drawTimeline();
    await refreshTable();
    await refreshSide();
    document.body.setAttribute("data-last-seq", String(s.program));
    showError(null);
  } catch (e) {
    showError(e);
  } finally { polling = false; }
}

document.addEventListener("DOMContentLoaded", () => {
  readToken();
  wireForms();
  poll();
  setInterval(poll, POLL_MS);
});
