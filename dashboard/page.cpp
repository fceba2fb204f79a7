#include "dashboard/page.h"

namespace nas {

// Data reaches the DOM through textContent and attributes only, never as
// markup, so a run or runner name cannot inject anything into the page.
const std::string& dashboard_page() {
  static const std::string kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nas dashboard</title>
<style>
  :root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --accent: #2f6fdf; --bg: #f7f8fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .store { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
  header .updated { margin-left: auto; color: var(--muted); font-size: 12px; }
  main { padding: 16px 24px; display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr); max-width: 1200px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
  section h2 { font-size: 15px; margin: 0 0 10px; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #eef2f7; }
  .badge.running, .badge.busy { background: #fff4d6; color: #8a5a00; }
  .badge.finished, .badge.idle { background: #dcf5e5; color: #146c36; }
  .stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
  .stat { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
  .stat .label { color: var(--muted); font-size: 12px; }
  .stat .value { font-size: 20px; font-variant-numeric: tabular-nums; }
  .bar { height: 6px; background: var(--line); border-radius: 3px; margin-top: 10px; overflow: hidden; }
  .bar > div { height: 100%; background: var(--accent); width: 0; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--muted); font-weight: 600; font-size: 12px; }
  td.num, th.num { text-align: right; }
  td.mono { font-family: ui-monospace, monospace; font-size: 12px; }
  td.label { white-space: normal; font-family: ui-monospace, monospace; font-size: 12px; }
  .front-body { display: grid; grid-template-columns: 520px minmax(0, 1fr); gap: 16px; align-items: start; }
  .front-body .table-wrap { overflow-x: auto; max-height: 420px; overflow-y: auto; }
  @media (max-width: 1000px) { .front-body { grid-template-columns: minmax(0, 1fr); } }
  svg { background: #fff; }
  svg .axis { stroke: #98a2b3; stroke-width: 1; }
  svg .grid { stroke: #f0f2f5; stroke-width: 1; }
  svg text { font-size: 11px; fill: var(--muted); }
  svg .point { fill: var(--accent); fill-opacity: .85; stroke: #fff; stroke-width: 1; }
  svg .link { fill: none; stroke: var(--accent); stroke-opacity: .8; stroke-width: 1.5; }
  svg .cloud { fill: #9db8e8; fill-opacity: .55; }
  svg polyline.curve, svg line.curve { fill: none; stroke-width: 2; }
  svg .c0 { stroke: var(--accent); fill: var(--accent); }
  svg .c1 { stroke: #d55e00; fill: #d55e00; }
  svg .legend { font-size: 11px; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; margin-top: 12px; }
  .charts h3 { font-size: 13px; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
  a.arch { color: var(--accent); text-decoration: none; }
  #arch-json { overflow-wrap: anywhere; }
  tr.selected td { background: #eef4ff; }
  .note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
  .error { color: #b42318; }
  select { font: inherit; }
</style>
</head>
<body>
<header>
  <h1>nas dashboard</h1>
  <span class="store" id="store"></span>
  <label>Run <select id="run-select"></select></label>
  <span class="badge" id="run-status"></span>
  <span class="updated" id="updated">loading…</span>
</header>
<main>
  <section id="progress">
    <h2>Progress <span id="run-title" class="note"></span></h2>
    <div class="stats">
      <div class="stat"><div class="label">Queries</div><div class="value" id="stat-queries">–</div>
        <div class="bar"><div id="queries-bar"></div></div></div>
      <div class="stat"><div class="label">Steps</div><div class="value" id="stat-steps">–</div></div>
      <div class="stat"><div class="label">Evaluator calls</div><div class="value" id="stat-calls">–</div></div>
      <div class="stat"><div class="label">Cache hits</div><div class="value" id="stat-hits">–</div></div>
      <div class="stat"><div class="label">Wall time</div><div class="value" id="stat-wall">–</div></div>
      <div class="stat"><div class="label">Strategy</div><div class="value" id="stat-strategy">–</div></div>
    </div>
    <p class="note" id="run-note"></p>
  </section>
  <section id="front">
    <h2 id="front-title">Pareto front</h2>
    <div class="front-body">
      <svg id="front-plot" width="520" height="340" viewBox="0 0 520 340" role="img" aria-label="front scatter"></svg>
      <div class="table-wrap">
        <table id="front-table"><thead></thead><tbody></tbody></table>
      </div>
    </div>
    <p class="note" id="front-note"></p>
    <div class="charts">
      <div><h3>Hypervolume by queries <span class="note" id="hv-note"></span></h3>
        <svg id="hv-plot" width="520" height="260" viewBox="0 0 520 260" role="img" aria-label="hypervolume by queries"></svg></div>
      <div id="arch-details"><h3 id="arch-title">Architecture: pick a row of the front</h3>
        <table id="arch-values"><thead><tr><th>metric</th><th class="num">value</th><th>source</th><th>device</th><th>fidelity</th></tr></thead><tbody></tbody></table>
        <p class="note mono" id="arch-json"></p></div>
    </div>
  </section>
  <section id="training">
    <h2 id="training-title">Supernet training</h2>
    <div class="stats">
      <div class="stat"><div class="label">Epoch</div><div class="value" id="train-epoch">–</div>
        <div class="bar"><div id="train-bar"></div></div></div>
      <div class="stat"><div class="label">Images/s</div><div class="value" id="train-rate">–</div></div>
      <div class="stat"><div class="label">Learning rate</div><div class="value" id="train-lr">–</div></div>
      <div class="stat"><div class="label">ETA</div><div class="value" id="train-eta">–</div></div>
    </div>
    <div class="charts">
      <div><h3>Training loss by epoch</h3>
        <svg id="loss-plot" width="520" height="240" viewBox="0 0 520 240" role="img" aria-label="training loss"></svg></div>
      <div><h3>Validation accuracy after each epoch</h3>
        <svg id="val-plot" width="520" height="240" viewBox="0 0 520 240" role="img" aria-label="validation accuracy"></svg></div>
    </div>
    <p class="note" id="training-note"></p>
  </section>
  <section id="runners">
    <h2>Runners <span class="note" id="farm"></span></h2>
    <table id="devices-table">
      <thead><tr><th>device key</th><th class="num">jobs in flight</th><th class="num">queued</th>
        <th class="num">boards busy</th><th class="num">boards idle</th>
        <th class="num">measurements done</th></tr></thead>
      <tbody></tbody>
    </table>
    <table id="runners-table">
      <thead><tr><th>runner</th><th>device key</th><th>backend</th><th>state</th><th>job</th>
        <th class="num">jobs done</th><th class="num">last heard</th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="note" id="runners-note"></p>
  </section>
</main>
<script>
"use strict";
const POLL_MS = 2000;
const SVG_NS = "http://www.w3.org/2000/svg";
let selectedRun = new URLSearchParams(location.search).get("run");
let selectedArch = null;

function $(id) { return document.getElementById(id); }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
async function getJson(path) {
  const r = await fetch(path, {cache: "no-store"});
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || (path + ": HTTP " + r.status));
  return body;
}
// `objective` as the API gives it: its kind is parsed from the name on the server.
function fmt(objective, v) {
  if (v === null || v === undefined) return "n/a";
  return v.toFixed(objective.kind === "accuracy" ? 2 : 3);
}
function duration(s) {
  if (s < 60) return s.toFixed(1) + " s";
  const t = Math.round(s), h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, sec = t % 60;
  return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
}

function showRuns(list) {
  $("store").textContent = list.store;
  const select = $("run-select");
  const ids = list.runs.map(r => String(r.id));
  if (select.options.length !== ids.length) {
    select.replaceChildren(...list.runs.map(r => el("option", {value: r.id}, r.id + ": " + r.name)));
  }
  if (!selectedRun || !ids.includes(selectedRun)) selectedRun = ids.length ? ids[ids.length - 1] : null;
  if (selectedRun) select.value = selectedRun;
}

function showProgress(run) {
  const p = run.progress;
  $("run-title").textContent = "run " + run.id + " (" + run.name + "), seed " + run.seed;
  const status = $("run-status");
  status.textContent = run.status;
  status.className = "badge " + run.status;
  $("stat-queries").textContent = p.queries + (p.budget ? " / " + p.budget : "");
  $("queries-bar").style.width = (p.budget ? Math.min(100, 100 * p.queries / p.budget) : 0) + "%";
  $("stat-steps").textContent = p.steps;
  $("stat-calls").textContent = p.evaluator_calls;
  $("stat-hits").textContent = p.cache_hits +
      (p.hit_rate === null ? "" : " (" + (100 * p.hit_rate).toFixed(1) + "%)");
  $("stat-wall").textContent = duration(p.wall_seconds);
  $("stat-strategy").textContent = run.strategy;
  $("run-note").textContent = run.note || (run.constraints.length ? "constraints: " + run.constraints.join(", ") : "");
}

function showFrontTable(front) {
  const objectives = front.objectives;
  const head = el("tr");
  // Values before the long architecture label, so they stay in view.
  for (const h of ["#", "arch id"]) head.append(el("th", {}, h));
  for (const o of objectives) {
    head.append(el("th", {class: "num"}, o.metric + (o.goal === "maximize" ? " ↑" : " ↓")));
  }
  head.append(el("th", {}, "architecture"));
  $("front-table").tHead.replaceChildren(head);
  const rows = front.front.map(m => {
    const tr = el("tr", {"data-arch-id": m.arch_id});
    if (m.arch_id === selectedArch) tr.classList.add("selected");
    // Each row links to its architecture's values (every metric, every source).
    const link = el("a", {class: "arch", href: "#arch-details", "data-arch-link": m.arch_id}, m.arch_id);
    link.addEventListener("click", () => { selectedArch = m.arch_id; showArch(m.arch_id); });
    const idCell = el("td", {class: "mono"});
    idCell.append(link);
    tr.append(el("td", {class: "num"}, m.position), idCell);
    for (const o of objectives) {
      const v = m.values[o.metric];
      const td = el("td", {class: "num", "data-metric": o.metric},
                    fmt(o, v.value) + (v.source ? " (" + v.source + ")" : ""));
      if (v.value !== null) td.setAttribute("data-value", String(v.value));
      tr.append(td);
    }
    tr.append(el("td", {class: "label"}, m.label));
    return tr;
  });
  $("front-table").tBodies[0].replaceChildren(...rows);
}

// Ticks at round numbers across [lo, hi].
function ticks(lo, hi, count) {
  const span = hi - lo || 1, raw = span / count;
  const step = Math.pow(10, Math.floor(Math.log10(raw)));
  const nice = [1, 2, 5, 10].map(f => f * step).find(s => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-9 * span; t += nice) out.push(t);
  return out;
}

// A chart frame: axes, grid, round ticks and labels over [x0, x1] x [y0, y1].
function frame(plot, W, H, box, x0, x1, y0, y1, xLabel, yLabel) {
  const {L, R, T, B} = box;
  const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  for (const t of ticks(x0, x1, 6)) {
    plot.append(svg("line", {class: "grid", x1: sx(t), x2: sx(t), y1: T, y2: H - B}));
    plot.append(svg("text", {x: sx(t), y: H - B + 16, "text-anchor": "middle"}, +t.toPrecision(6)));
  }
  for (const t of ticks(y0, y1, 5)) {
    plot.append(svg("line", {class: "grid", x1: L, x2: W - R, y1: sy(t), y2: sy(t)}));
    plot.append(svg("text", {x: L - 6, y: sy(t) + 4, "text-anchor": "end"}, +t.toPrecision(6)));
  }
  plot.append(svg("line", {class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B}));
  plot.append(svg("line", {class: "axis", x1: L, x2: L, y1: T, y2: H - B}));
  plot.append(svg("text", {x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle"}, xLabel));
  plot.append(svg("text", {x: 14, y: (T + H - B) / 2, "text-anchor": "middle",
                           transform: "rotate(-90 14 " + (T + H - B) / 2 + ")"}, yLabel));
  return {sx, sy};
}
const pad = (lo, hi) => { const d = (hi - lo) || Math.abs(hi) || 1; return [lo - 0.06 * d, hi + 0.06 * d]; };

function message(plot, W, H, text) {
  plot.append(svg("text", {x: W / 2, y: H / 2, "text-anchor": "middle"}, text));
}

// Curves (and dots) on one chart: series = [{name, cls, points: [[x, y]], dots}].
function lineChart(plot, W, H, series, xLabel, yLabel, empty) {
  plot.replaceChildren();
  const all = series.flatMap(s => s.points).filter(p => p[1] !== null && isFinite(p[1]));
  if (!all.length) { message(plot, W, H, empty); return; }
  const [x0, x1] = pad(Math.min(...all.map(p => p[0])), Math.max(...all.map(p => p[0])));
  const [y0, y1] = pad(Math.min(...all.map(p => p[1])), Math.max(...all.map(p => p[1])));
  const {sx, sy} = frame(plot, W, H, {L: 58, R: 14, T: 14, B: 40}, x0, x1, y0, y1, xLabel, yLabel);
  series.forEach((s, i) => {
    const pts = s.points.filter(p => p[1] !== null && isFinite(p[1]));
    if (!pts.length) return;
    plot.append(svg("polyline", {class: "curve " + s.cls, "fill": "none", "data-series": s.name,
                                 points: pts.map(p => sx(p[0]) + "," + sy(p[1])).join(" ")}));
    if (s.dots) for (const p of pts) plot.append(svg("circle", {class: s.cls, cx: sx(p[0]), cy: sy(p[1]), r: 3.5}));
    const lx = W - 14 - 150, ly = 24 + 14 * i;
    plot.append(svg("line", {class: "curve " + s.cls, x1: lx, x2: lx + 18, y1: ly - 4, y2: ly - 4}));
    plot.append(svg("text", {class: "legend", x: lx + 24, y: ly}, s.name));
  });
}

// The front over the light cloud of every feasible candidate queried so
// far, with the front's staircase (the boundary of what it dominates).
function showFrontPlot(front, candidates) {
  const plot = $("front-plot");
  const W = 520, H = 340;
  plot.replaceChildren();
  const objectives = front.objectives;
  if (objectives.length < 2) { message(plot, W, H, "one objective: nothing to plot"); return; }
  const [oy, ox] = objectives;  // objective 1 up, objective 2 across
  const pts = front.front
      .map(m => ({x: m.values[ox.metric].value, y: m.values[oy.metric].value, m}))
      .filter(p => p.x !== null && p.y !== null);
  const cloud = (candidates ? candidates.candidates : [])
      .filter(c => c.feasible && c.values[ox.metric] !== null && c.values[oy.metric] !== null)
      .map(c => ({x: c.values[ox.metric], y: c.values[oy.metric], id: c.arch_id}));
  const everything = pts.concat(cloud);
  if (!everything.length) { message(plot, W, H, "no candidates yet"); return; }
  const [x0, x1] = pad(Math.min(...everything.map(p => p.x)), Math.max(...everything.map(p => p.x)));
  const [y0, y1] = pad(Math.min(...everything.map(p => p.y)), Math.max(...everything.map(p => p.y)));
  const {sx, sy} = frame(plot, W, H, {L: 58, R: 14, T: 14, B: 44}, x0, x1, y0, y1,
      ox.metric + " (" + (ox.goal === "maximize" ? "max" : "min") + ")",
      oy.metric + " (" + (oy.goal === "maximize" ? "max" : "min") + ")");
  for (const c of cloud) {
    plot.append(svg("circle", {class: "cloud", cx: sx(c.x), cy: sy(c.y), r: 2.5, "data-arch-id": c.id}));
  }
  // Best x first; from each member across to the next one's x, then to its y.
  const better = ox.goal === "maximize" ? (a, b) => b.x - a.x : (a, b) => a.x - b.x;
  const sorted = pts.slice().sort(better);
  if (sorted.length) {
    let d = "M" + sx(sorted[0].x) + "," + sy(sorted[0].y);
    for (const p of sorted.slice(1)) d += " H" + sx(p.x) + " V" + sy(p.y);
    plot.append(svg("path", {class: "link", d}));
  }
  for (const p of pts) {
    const c = svg("circle", {class: "point", cx: sx(p.x), cy: sy(p.y), r: 5, "data-arch-id": p.m.arch_id});
    c.append(svg("title", {}, p.m.label + "\n" + oy.metric + " " + fmt(oy, p.y) + ", " +
                               ox.metric + " " + fmt(ox, p.x)));
    plot.append(c);
  }
  // The key's marks carry no class of the data's marks, which tests count.
  plot.append(svg("circle", {fill: "#9db8e8", cx: W - 150, cy: 20, r: 3}));
  plot.append(svg("text", {class: "legend", x: W - 142, y: 24}, "every candidate (" + cloud.length + ")"));
  plot.append(svg("circle", {fill: "#2f6fdf", cx: W - 150, cy: 36, r: 4}));
  plot.append(svg("text", {class: "legend", x: W - 142, y: 40}, "front"));
}

function showHypervolume(candidates) {
  const hv = candidates.hypervolume;
  $("hv-note").textContent = hv.reference ? "(reference point " +
      hv.reference.map(v => +v.toPrecision(5)).join(", ") + ")" : "";
  lineChart($("hv-plot"), 520, 260, [{name: "hypervolume", cls: "c0", points: hv.points}],
            "queries", "hypervolume", "no feasible candidate yet");
}

async function showArch(id) {
  const a = await getJson("/api/archs/" + encodeURIComponent(id));
  $("arch-title").textContent = "Architecture " + a.arch_id + " (" + a.space + ")";
  $("arch-values").tBodies[0].replaceChildren(...a.values.map(v => {
    const tr = el("tr", {"data-metric": v.metric});
    tr.append(el("td", {}, v.metric), el("td", {class: "num"}, fmt(v.metric, v.value)),
              el("td", {}, v.source + (v.note ? " (" + v.note + ")" : "")), el("td", {}, v.device),
              el("td", {class: "mono"}, v.fidelity));
    return tr;
  }));
  $("arch-json").textContent = JSON.stringify(a.architecture);
  for (const tr of $("front-table").tBodies[0].rows) {
    tr.classList.toggle("selected", tr.getAttribute("data-arch-id") === id);
  }
}

function showTraining(t) {
  const section = $("training");
  const latest = t.latest;
  section.hidden = !latest;
  if (!latest) return;
  section.setAttribute("data-training", t.training ? "running" : "done");
  $("training-title").textContent = "Supernet training" + (t.training ? " (running)" : " (done)");
  $("train-epoch").textContent = latest.epoch + " / " + latest.epochs;
  $("train-bar").style.width = Math.min(100, 100 * latest.images_done / latest.images_total) + "%";
  $("train-rate").textContent = latest.images_per_second.toFixed(0);
  $("train-lr").textContent = latest.learning_rate.toPrecision(3);
  $("train-eta").textContent = t.eta_seconds === null ? (t.training ? "–" : "done") : duration(t.eta_seconds);
  // x in epochs: images done over the images of one epoch.
  const perEpoch = latest.images_total / latest.epochs;
  const at = r => r.images_done / perEpoch;
  const reports = t.reports.concat(t.epochs).sort((a, b) => a.images_done - b.images_done);
  lineChart($("loss-plot"), 520, 240, [
      {name: "largest subnet", cls: "c0", points: reports.map(r => [at(r), r.loss_largest])},
      {name: "smallest subnet", cls: "c1", points: reports.map(r => [at(r), r.loss_smallest])}],
      "epoch", "loss", "no step yet");
  lineChart($("val-plot"), 520, 240, [
      {name: "largest subnet", cls: "c0", dots: true, points: t.epochs.map(e => [e.epoch, 100 * e.val_acc_largest])},
      {name: "smallest subnet", cls: "c1", dots: true, points: t.epochs.map(e => [e.epoch, 100 * e.val_acc_smallest])}],
      "epoch", "validation accuracy (%)", "after the first epoch");
  $("training-note").textContent = t.epochs.length ? "" : "validation accuracy comes after each epoch";
}

function showFront(front, candidates) {
  const n = front.front.length;
  $("front-title").textContent = "Pareto front: " + n + (n === 1 ? " architecture" : " architectures") +
      (front.provisional ? " (provisional, the run goes on)" : "");
  $("front-note").textContent = front.note || "";
  showFrontTable(front);
  showFrontPlot(front, candidates);
  showHypervolume(candidates);
}

function showRunners(r) {
  $("farm").textContent = r.farm ? "farm " + r.farm + (r.queued !== undefined ?
      ", " + r.queued + " queued, " + r.running + " running" : "") : "";
  $("runners-note").textContent = r.note || (r.runners.length ? "" : "no runners connected");
  const rows = r.runners.map(x => {
    const tr = el("tr", {"data-runner-id": x.runner_id});
    tr.append(el("td", {class: "mono"}, x.runner_id), el("td", {}, x.device), el("td", {}, x.backend));
    const state = el("td");
    state.append(el("span", {class: "badge " + x.state}, x.state));
    tr.append(state, el("td", {class: "mono"}, x.job || "–"), el("td", {class: "num"}, x.jobs_done ?? "–"),
              el("td", {class: "num"}, x.seconds_since_heard.toFixed(1) + " s ago"));
    return tr;
  });
  $("runners-table").tBodies[0].replaceChildren(...rows);
  const devices = (r.devices || []).map(d => {
    const tr = el("tr", {"data-device": d.device});
    tr.append(el("td", {}, d.device), el("td", {class: "num"}, String(d.running)),
              el("td", {class: "num"}, String(d.queued)), el("td", {class: "num"}, String(d.busy)),
              el("td", {class: "num"}, String(d.idle)), el("td", {class: "num"}, String(d.jobs_done)));
    return tr;
  });
  $("devices-table").tBodies[0].replaceChildren(...devices);
}

async function refresh() {
  try {
    showRuns(await getJson("/api/runs"));
    if (selectedRun) {
      const base = "/api/runs/" + selectedRun;
      const [run, front, candidates, training] = await Promise.all([
          getJson(base), getJson(base + "/front"), getJson(base + "/candidates"),
          getJson(base + "/training")]);
      showProgress(run);
      showFront(front, candidates);
      showTraining(training);
      if (selectedArch) await showArch(selectedArch);
    } else {
      $("run-note").textContent = "no runs in this store yet";
    }
    showRunners(await getJson("/api/runners"));
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
    $("updated").classList.remove("error");
    document.body.setAttribute("data-loaded", "true");
  } catch (e) {
    $("updated").textContent = "update failed: " + e.message;
    $("updated").classList.add("error");
  }
}

$("run-select").addEventListener("change", e => {
  selectedRun = e.target.value;
  selectedArch = null;
  history.replaceState(null, "", "?run=" + selectedRun);
  refresh();
});
refresh();
setInterval(refresh, POLL_MS);
</script>
</body>
</html>
)html";
  return kPage;
}

}  // namespace nas
