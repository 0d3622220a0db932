// explorer.js: the page of `phsim serve`.  Every change of a control asks
// /api/run for the run with the head and the run without it (head=fixed),
// draws them with uPlot, tells the phases with the measured numbers, and
// draws the force field (/api/field) under the chosen neuron's path.
"use strict";

const PRESET_ETA = { teach: 0.025, paper: 0.2 };  // the presets' eta (phsim keys)
const LOG_PER_DECADE = 40;                         // rows: 40 per decade of steps
const COLORS = ["#0b5fa5", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#8a5a44", "#3d405b", "#81b29a"];
const PHASE_FILL = ["rgba(11,95,165,0.07)", "rgba(209,73,91,0.10)", "rgba(42,157,143,0.10)", "rgba(0,0,0,0.05)"];
const $ = (id) => document.getElementById(id);

const state = { touched: new Set(), runs: null, charts: [], portrait: null, field: null,
                pending: null, fieldBusy: false, fieldWanted: null, playing: null, errors: [] };

// ---- the controls and the query -------------------------------------------

const sliders = {
  d: { show: (v) => String(Math.round(10 ** v)), key: "d", value: (v) => String(Math.round(10 ** v)) },
  alpha: { show: (v) => Number(v).toFixed(2), key: "alpha", value: (v) => `2,${(2 * v).toPrecision(6)}` },
  etaE: { show: (v) => (10 ** v).toPrecision(3), key: "eta_E",
          value: (v) => (PRESET_ETA[$("preset").value] * 10 ** v).toPrecision(6) },
  steps: { show: (v) => Number(10 ** v).toExponential(1), key: "steps",
           value: (v) => String(Math.round(10 ** v)) },
};

// The query's key=value pairs in the order `phsim run --set` takes them.
function params() {
  const p = [["preset", $("preset").value], ["engine", $("engine").value]];
  p.push(["seed", String(Math.max(0, Math.floor(Number($("seed").value) || 0)))]);
  p.push(["m", $("m").value], ["d", sliders.d.value($("d").value)]);
  for (const id of ["alpha", "etaE", "steps"])
    if (state.touched.has(id)) p.push([sliders[id].key, sliders[id].value($(id).value)]);
  p.push(["log_per_decade", String(LOG_PER_DECADE)]);
  return p;
}

const query = (p) => p.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

function command(p) {
  return "phsim run " + p.map(([k, v]) => `--set ${k}=${v}`).join(" ") + " --out out/explorer";
}

function showSliders() {
  for (const id of Object.keys(sliders))
    $(`${id}_out`).textContent = id === "d" || state.touched.has(id) ? sliders[id].show($(id).value) : "preset's";
}

// The controls from the page's address (?d=1000&seed=3&alpha=0.3 ...).
function readAddress() {
  const q = new URLSearchParams(location.search);
  for (const id of ["preset", "engine", "head", "seed", "m"]) if (q.has(id)) $(id).value = q.get(id);
  if (q.has("d")) $("d").value = Math.log10(Number(q.get("d")));
  if (q.has("alpha")) { $("alpha").value = q.get("alpha"); state.touched.add("alpha"); }
  if (q.has("etaE")) { $("etaE").value = Math.log10(Number(q.get("etaE"))); state.touched.add("etaE"); }
  if (q.has("steps")) { $("steps").value = Math.log10(Number(q.get("steps"))); state.touched.add("steps"); }
}

function writeAddress() {
  const q = new URLSearchParams();
  for (const id of ["preset", "engine", "head", "seed", "m"]) q.set(id, $(id).value);
  q.set("d", sliders.d.value($("d").value));
  if (state.touched.has("alpha")) q.set("alpha", $("alpha").value);
  if (state.touched.has("etaE")) q.set("etaE", (10 ** $("etaE").value).toPrecision(3));
  if (state.touched.has("steps")) q.set("steps", sliders.steps.value($("steps").value));
  if (new URLSearchParams(location.search).has("selftest")) q.set("selftest", "1");
  history.replaceState(null, "", "?" + q.toString());
}

// ---- the API ------------------------------------------------------------------

async function api(path, p, signal) {
  const r = await fetch(`${path}?${query(p)}`, { signal });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function showError(msg) {
  $("error").hidden = !msg;
  $("error").textContent = msg ? `phsim: ${msg}` : "";
}

// Both runs of the controls' state; the previous request is abandoned
// (the server stops a computation whose client went away).
async function update() {
  showSliders();
  writeAddress();
  const p = params();
  $("command").value = command([...p.slice(0, 2), ["head", $("head").value], ...p.slice(2)]);
  if (state.pending) state.pending.abort();
  const ctl = new AbortController();
  state.pending = ctl;
  $("status").textContent = "computing…";
  const t0 = performance.now();
  try {
    const [head, none] = await Promise.all([
      api("api/run", [...p, ["head", $("head").value]], ctl.signal),
      api("api/run", [...p, ["head", "fixed"]], ctl.signal)]);
    state.runs = { head: table(head), none: table(none) };
    showError("");
    $("status").textContent = `two runs in ${Math.round(performance.now() - t0)} ms ` +
      `(${head.config.engine}, d = ${head.config.d}, ${head.config.steps} steps)`;
    render();
  } catch (e) {
    if (e.name === "AbortError") return;
    showError(e.message);
    $("status").textContent = "";
  }
  if (state.pending === ctl) state.pending = null;
}

// A run's answer with its trajectory as columns by name.
function table(run) {
  const cols = {};
  run.trajectory.columns.forEach((c, i) => { cols[c] = run.trajectory.rows.map((r) => r[i]); });
  return { config: run.config, summary: run.summary, cols, steps: cols.step };
}

// ---- the charts -------------------------------------------------------------

// Phases as [from, to, label] in steps, from the summary.
function phaseSpans(run) {
  const ph = run.summary.phases, last = run.steps[run.steps.length - 1];
  const ends = [ph.T1, ph.T2, ph.T3, last];
  const names = ["I", "II substitution", "III acceleration", "IV"];
  const spans = [];
  let from = 1;
  for (let i = 0; i < 4; i++) {
    if (ends[i] == null || ends[i] < from) break;
    spans.push([from, i === 3 ? last : ends[i], names[i], PHASE_FILL[i]]);
    from = ends[i];
  }
  return spans;
}

function shadePhases(run) {
  return (u) => {
    const ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
    ctx.save();
    ctx.font = `${Math.round(13 * devicePixelRatio)}px DejaVu Sans, sans-serif`;
    for (const [a, b, name, fill] of phaseSpans(run)) {
      const x0 = u.valToPos(Math.max(a, u.scales.x.min), "x", true);
      const x1 = u.valToPos(Math.min(b, u.scales.x.max), "x", true);
      if (x1 <= x0) continue;
      ctx.fillStyle = fill;
      ctx.fillRect(x0, top, x1 - x0, h);
      ctx.fillStyle = "#333";
      ctx.fillText(name.split(" ")[0], x0 + 4, top + 16 * devicePixelRatio);
    }
    const at = state.scrubStep;
    if (at != null && at >= u.scales.x.min && at <= u.scales.x.max) {
      const x = u.valToPos(at, "x", true);
      ctx.strokeStyle = "#000";
      ctx.setLineDash([4, 4]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
    }
    ctx.restore();
  };
}

// The chart of some columns of a run against its steps (log axis, from 1).
function chart(el, run, title, names, labels, yOpts) {
  const keep = run.steps.map((s, i) => (s > 0 ? i : -1)).filter((i) => i >= 0);
  const data = [keep.map((i) => run.steps[i]), ...names.map((n) => keep.map((i) => run.cols[n][i]))];
  const width = Math.max(320, el.clientWidth - 8);
  const opts = {
    title, width, height: 230,
    scales: { x: { time: false, distr: 3 }, y: yOpts || {} },
    axes: [{ label: "step", size: 46 }, { size: 64 }],
    series: [{ label: "step" }, ...names.map((n, i) => ({
      label: labels[i], stroke: COLORS[i % COLORS.length], width: 2,
      dash: labels[i].includes("v₂") || labels[i].includes("_2") ? [6, 4] : undefined,
    }))],
    legend: { live: false },
    hooks: { drawClear: [shadePhases(run)] },
  };
  const u = new uPlot(opts, data, el);
  state.charts.push(u);
}

const sub = (n) => String(n).split("").map((c) => "₀₁₂₃₄₅₆₇₈₉"[c]).join("");

function drawRun(el, run) {
  const m = run.config.m, K = run.config.alpha.length;
  const pick = (fmt) => {
    const names = [], labels = [];
    for (let j = 1; j <= m; j++) for (let l = 1; l <= K; l++) { names.push(fmt[0](j, l)); labels.push(fmt[1](j, l)); }
    return [names, labels];
  };
  el.innerHTML = "";
  const box = () => el.appendChild(document.createElement("div"));
  const [cn, cl] = pick([(j, l) => `cos_${j}_${l}`, (j, l) => `|cos(w${sub(j)}, v${sub(l)})|`]);
  run.cols = Object.assign(run.cols, Object.fromEntries(cn.map((n) => [n, run.cols[n].map(Math.abs)])));
  chart(box(), run, "alignment of each neuron with each feature", cn, cl, { range: [0, 1] });
  // E_ij - delta_ij on an asinh scale: E_21 stays tens of times below E_12
  // and both grow from 1e-6 in phase I, invisible on a linear axis.
  const en = [], el2 = [];
  for (let i = 1; i <= m; i++) for (let j = 1; j <= m; j++) {
    const d = `Ed_${i}_${j}`;
    run.cols[d] = run.cols[`E_${i}_${j}`].map((v) => v - (i === j ? 1 : 0));
    en.push(d);
    el2.push(i === j ? `E${sub(i)}${sub(j)} − 1` : `E${sub(i)}${sub(j)}`);
  }
  chart(box(), run, "the head: E_ij − δ_ij (asinh scale)", en, el2, { distr: 4, asinh: 1e-6 });
  const [fn, fl] = pick([(j, l) => `force_${j}_${l}`, (j, l) => `pull on w${sub(j)} along v${sub(l)}`]);
  chart(box(), run, "pulls −∂L/∂a_jl (asinh scale)", fn, fl, { distr: 4, asinh: 1e-5 });
  chart(box(), run, "loss", ["loss"], ["loss"]);
}

function render() {
  for (const u of state.charts) u.destroy();
  state.charts = [];
  drawRun(document.querySelector("#run_head .charts"), state.runs.head);
  drawRun(document.querySelector("#run_none .charts"), state.runs.none);
  tellPhases();
  setupPortrait();
}

// ---- the story: each phase with its measured numbers ------------------------------

const fmt = (x) => (x == null ? "–" : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : +x.toPrecision(3));

// The value of a column at a step (the logged row at or after it).
function at(run, col, step) {
  const i = run.steps.findIndex((s) => s >= step);
  return i < 0 ? null : run.cols[col][i];
}

function learned(run) {
  const s = run.summary;
  return `${s.features_learned} of ${run.config.alpha.length} features learned`;
}

function phaseTexts(run, none) {
  const ph = run.summary.phases, s = ph.strong_neuron, i = ph.substituted_neuron;
  const reached = (T) => T != null && T >= 0;
  const t = [];
  t.push(reached(ph.T1)
    ? `I (steps 1–${ph.T1}): neuron ${s} learns the strong feature v₁ (|cos| ≥ ${run.config.threshold} at step ${ph.T1}); every other overlap stays below ${fmt(ph.phase1_offtarget_max)}, ‖E − I‖ below ${fmt(ph.phase1_E_minus_I_max)}.`
    : "I: no neuron has learned the strong feature yet (more steps?).");
  if (reached(ph.T2)) {
    const f1 = Math.abs(at(run, `force_${i}_1`, ph.T1)), f2 = Math.abs(at(run, `force_${i}_1`, ph.T2));
    t.push(`II substitution (steps ${ph.T1}–${ph.T2}): the head's E${sub(i)}${sub(s)} grows to ${fmt(ph.E_substitution)} and feeds w${sub(s)}'s v₁ into output ${i}; the size of the pull on w${sub(i)} along v₁ falls from ${fmt(f1)} to ${fmt(f2)} (${fmt(f1 / f2)}×).`);
  } else if (reached(ph.T1)) {
    t.push("II substitution: not reached (the head has not yet taken over v₁ for another neuron).");
  }
  if (reached(ph.T2) && reached(ph.T3)) {
    const g2 = Math.abs(at(run, `force_${i}_2`, ph.T2));
    const g3 = Math.abs(at(run, `force_${i}_2`, Math.max(ph.T2, ph.T3 - 1)));
    t.push(`III acceleration (steps ${ph.T2}–${ph.T3}): w${sub(i)}, no longer pulled to v₁, turns to the weak feature v₂ (the size of its pull along v₂ from ${fmt(g2)} to ${fmt(g3)}) and learns it at step ${ph.T3}.`);
  } else if (reached(ph.T2)) {
    t.push("III acceleration: the weak feature is not learned within the run's steps.");
  }
  if (reached(ph.T4)) t.push(`IV (from step ${ph.T4}): the head returns towards the identity; the head's peak (E_peak) was ${fmt(run.summary.E_peak.value)} at step ${run.summary.E_peak.step}.`);
  t.push(`Outcome: with the head ${learned(run)}; without it ${learned(none)}.`);
  return t;
}

function currentPhase(run, step) {
  const spans = phaseSpans(run);
  for (let k = spans.length - 1; k >= 0; k--) if (step >= spans[k][0]) return k;
  return 0;
}

function tellPhases() {
  const run = state.runs.head, list = $("phases");
  list.innerHTML = "";
  for (const text of phaseTexts(run, state.runs.none)) {
    const li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }
}

function markPhase() {
  const k = currentPhase(state.runs.head, state.scrubStep || 1);
  const items = $("phases").children;
  for (let i = 0; i < items.length; i++) items[i].classList.toggle("now", i === k && i < items.length - 1);
  const names = ["phase I", "phase II: substitution", "phase III: acceleration", "phase IV"];
  $("phase_now").textContent = `— at step ${state.scrubStep}: ${names[k]}`;
}

// ---- the phase portrait over the force field -----------------------------------------

const FIELD_N = 17;

function viridis(t) {  // t in [0, 1]: dark blue to yellow
  const c = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(0.9999, Math.max(0, t)) * 4, k = Math.floor(x), f = x - k;
  return `rgb(${c[k].map((v, i) => Math.round(v + f * (c[k + 1][i] - v))).join(",")})`;
}

function drawField(u) {
  const f = state.field, ctx = u.ctx, run = state.runs.head, j = $("neuron").value;
  ctx.save();
  if (f) {
    const norms = f.rows.map((r) => r[4]).filter((v) => v > 0).map(Math.log10);
    const lo = Math.min(...norms), hi = Math.max(...norms);
    const len = (u.bbox.width / FIELD_N) * 0.42;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    for (const [x, y, fx, fy, n] of f.rows) {
      if (fx == null || !(n > 0)) continue;
      const px = u.valToPos(x, "x", true), py = u.valToPos(y, "y", true);
      const dx = (fx / n) * len, dy = -(fy / n) * len;
      ctx.strokeStyle = ctx.fillStyle = viridis(hi > lo ? (Math.log10(n) - lo) / (hi - lo) : 0.5);
      ctx.beginPath(); ctx.moveTo(px - dx / 2, py - dy / 2); ctx.lineTo(px + dx / 2, py + dy / 2); ctx.stroke();
      const a = Math.atan2(dy, dx), h = len * 0.35;
      ctx.beginPath(); ctx.moveTo(px + dx / 2, py + dy / 2);
      ctx.lineTo(px + dx / 2 - h * Math.cos(a - 0.45), py + dy / 2 - h * Math.sin(a - 0.45));
      ctx.lineTo(px + dx / 2 - h * Math.cos(a + 0.45), py + dy / 2 - h * Math.sin(a + 0.45));
      ctx.fill();
    }
  }
  const xs = run.cols[`a_${j}_1`], ys = run.cols[`a_${j}_2`], now = Number($("scrub").value);
  ctx.strokeStyle = "#d1495b"; ctx.lineWidth = 2.5 * devicePixelRatio;
  ctx.beginPath();
  for (let i = 0; i <= now; i++) {
    const px = u.valToPos(xs[i], "x", true), py = u.valToPos(ys[i], "y", true);
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  }
  ctx.stroke();
  ctx.fillStyle = "#000";
  ctx.beginPath();
  ctx.arc(u.valToPos(xs[now], "x", true), u.valToPos(ys[now], "y", true), 6 * devicePixelRatio, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
}

function portraitLimit(run, j) {
  const a = [...run.cols[`a_${j}_1`], ...run.cols[`a_${j}_2`]].map(Math.abs);
  return Math.max(0.05, 1.15 * Math.max(...a));
}

function setupPortrait() {
  const run = state.runs.head, sel = $("neuron"), keep = sel.value;
  sel.innerHTML = "";
  for (let j = 1; j <= run.config.m; j++) sel.add(new Option(String(j), String(j)));
  const i = run.summary.phases.substituted_neuron;
  sel.value = keep && Number(keep) <= run.config.m ? keep : String(i || 1);
  $("scrub").max = String(run.steps.length - 1);
  const T = run.summary.phases.T1;
  const start = T != null && T >= 0 ? run.steps.findIndex((s) => s >= T) : run.steps.length - 1;
  $("scrub").value = String(start);
  drawPortrait();
}

function drawPortrait() {
  const run = state.runs.head, j = $("neuron").value, L = portraitLimit(run, j);
  const el = $("portrait");
  if (state.portrait) state.portrait.destroy();
  el.innerHTML = "";
  const size = Math.min(640, Math.max(320, el.clientWidth - 8));
  state.portrait = new uPlot({
    width: size, height: size, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: false, range: [-L, L] }, y: { range: [-L, L] } },
    axes: [{ label: `a${sub(j)}₁ = ⟨w${sub(j)}, v₁⟩`, size: 46 }, { label: `a${sub(j)}₂ = ⟨w${sub(j)}, v₂⟩`, size: 64 }],
    series: [{}, { stroke: "transparent" }],
    hooks: { draw: [drawField] },
  }, [[-L, L], [null, null]], el);
  state.field = null;
  scrubTo(Number($("scrub").value));
}

// The scrubber's step: redraw the time charts' marker, ask for the field.
function scrubTo(i) {
  const run = state.runs.head;
  state.scrubStep = run.steps[i];
  $("scrub_out").textContent = `step ${state.scrubStep}`;
  markPhase();
  for (const u of state.charts) u.redraw(false);
  if (state.portrait) state.portrait.redraw(false);
  state.fieldWanted = i;
  fetchField();
}

// One field request at a time; the latest position wins.
async function fetchField() {
  if (state.fieldBusy || state.fieldWanted == null) return;
  const i = state.fieldWanted, run = state.runs.head, j = $("neuron").value;
  state.fieldWanted = null;
  state.fieldBusy = true;
  const p = [...params(), ["head", $("head").value], ["at", String(run.steps[i])], ["neuron", j],
             ["n", String(FIELD_N)], ["lim", String(portraitLimit(run, j))]];
  try {
    state.field = await api("api/field", p);
    if (state.portrait) state.portrait.redraw(false);
    state.fieldDrawn = (state.fieldDrawn || 0) + 1;
  } catch (e) {
    showError(e.message);
  }
  state.fieldBusy = false;
  fetchField();
}

function togglePlay() {
  if (state.playing) {
    clearInterval(state.playing);
    state.playing = null;
    $("play").textContent = "play";
    return;
  }
  $("play").textContent = "pause";
  state.playing = setInterval(() => {
    const s = $("scrub"), next = (Number(s.value) + 1) % (Number(s.max) + 1);
    s.value = String(next);
    scrubTo(next);
  }, 180);
}

// ---- wiring, and the self-test a headless browser reads ----------------------------------------

async function copyCommand() {
  const text = $("command").value;
  try {
    await navigator.clipboard.writeText(text);
    $("status").textContent = "copied: " + text;
  } catch (e) {
    $("command").select();
    document.execCommand("copy");
    $("status").textContent = "the command is selected: copy it with Ctrl-C";
  }
}

function wire() {
  let timer = null;
  const later = () => { clearTimeout(timer); timer = setTimeout(() => { state.lastUpdate = update(); }, 120); };
  for (const id of ["preset", "engine", "head", "m"]) $(id).addEventListener("change", () => { state.lastUpdate = update(); });
  $("seed").addEventListener("change", () => { state.lastUpdate = update(); });
  for (const id of Object.keys(sliders)) {
    $(id).addEventListener("input", () => { if (id !== "d") state.touched.add(id); showSliders(); later(); });
  }
  $("reset").addEventListener("click", () => { state.touched.clear(); state.lastUpdate = update(); });
  $("copy").addEventListener("click", copyCommand);
  $("play").addEventListener("click", togglePlay);
  $("scrub").addEventListener("input", (e) => scrubTo(Number(e.target.value)));
  $("neuron").addEventListener("change", drawPortrait);
  window.addEventListener("error", (e) => state.errors.push(String(e.message)));
  window.addEventListener("unhandledrejection", (e) => state.errors.push(String(e.reason)));
  const error = console.error.bind(console);
  console.error = (...a) => { state.errors.push(a.join(" ")); error(...a); };
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// ?selftest=1: move the d slider as a user would, wait for both runs and the
// field, then write what the page shows into #selftest for the test to read.
async function selfTest() {
  await state.lastUpdate;
  $("d").value = String(Math.log10(200));
  $("d").dispatchEvent(new Event("input"));
  await pause(400);
  await state.lastUpdate;
  for (let k = 0; k < 100 && !(state.fieldDrawn > 0 && !state.fieldBusy); k++) await pause(100);
  const pick = (run) => ({ T1: run.summary.phases.T1, T2: run.summary.phases.T2, T3: run.summary.phases.T3,
                           T4: run.summary.phases.T4, features_learned: run.summary.features_learned,
                           E_peak: run.summary.E_peak.value });
  const r = state.runs;
  const result = {
    command: $("command").value, error: $("error").textContent,
    charts: document.querySelectorAll("#runs canvas").length,
    portrait: document.querySelectorAll("#portrait canvas").length, field_points: state.field ? state.field.rows.length : 0,
    phase_text: $("phases").textContent, head: r ? pick(r.head) : null, none: r ? pick(r.none) : null,
    errors: state.errors,
  };
  $("selftest").textContent = JSON.stringify(result);
  $("selftest").hidden = false;
}

async function main() {
  wire();
  readAddress();
  try {
    const v = await (await fetch("api/version")).json();
    $("version").textContent = `phsim ${v.version}, commit ${v.commit}; budget ${v.limits.budget.toExponential(1)} units, ` +
      `time limit ${v.limits.time_limit} s`;
  } catch (e) {
    showError("the server does not answer: " + e.message);
  }
  state.lastUpdate = update();
  if (new URLSearchParams(location.search).has("selftest")) selfTest();
}

main();
