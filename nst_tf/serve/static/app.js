// nst_tf web app: plain JavaScript over the JSON API (see /docs).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  content: null,      // uploaded photo id
  style: null,        // built-in style name or uploaded painting id
  styleOptimise: false, // whether Optimise mode can use the style (a painting)
  names: new Map(),   // style id -> the name shown (built-in title, or the painting's file name)
  optimise: { state: "checking", reason: null }, // the server's loss network (/api/health)
  mode: "fast",
  current: null,      // the result shown and downloadable: {id, url, width, height, label}
  settled: null,      // the last finished result, shown again when a job ends without one
  fastSeq: 0,         // the latest fast request; older answers are dropped
  fastTimer: null,
  job: null,          // {id, events}
  kept: new Set(),    // result ids listed under Results
  shown: new Set(),   // every result id this page got (forgotten when it closes)
  uploads: new Set(),
};

function say(message, info) {
  $("status").textContent = message || "";
  $("status").className = info ? "status info" : "status";
}

async function api(method, url, body) {
  const options = { method, headers: {} };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, options);
  let data = null;
  try { data = await response.json(); } catch (e) { /* no body */ }
  if (!response.ok) {
    let detail = data && data.detail;
    if (Array.isArray(detail)) detail = detail.map((d) => `${d.loc.slice(-1)}: ${d.msg}`).join("; ");
    const error = new Error(detail || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.retryAfter = response.headers.get("Retry-After");
    throw error;
  }
  return data;
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file);
  const image = await api("POST", "/api/images", form);
  state.uploads.add(image.id);
  return image;
}

// ---- photo ----
async function setPhoto(file) {
  if (!file) return;
  say("Uploading the photo…", true);
  try {
    const image = await upload(file);
    state.content = image.id;
    const preview = $("photo-preview");
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    $("dropzone-text").textContent = `${file.name} · ${image.width}×${image.height} (change)`;
    say("");
    refresh();
  } catch (error) {
    say(`Photo refused: ${error.message}`);
  }
}

const zone = $("dropzone");
zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  zone.classList.remove("over");
  setPhoto(e.dataTransfer.files[0]);
});
$("photo-input").addEventListener("change", (e) => setPhoto(e.target.files[0]));

// ---- styles ----
// Built-in styles go at the end; an uploaded painting first, beside "+ painting", in sight.
function addStyleTile(id, name, thumbnail, optimise, uploaded) {
  const tile = document.createElement("button");
  tile.className = "style-tile" + (optimise ? "" : " fast-only");
  tile.dataset.style = id;
  tile.title = name + (optimise ? "" : " (Fast only)");
  tile.setAttribute("aria-label", tile.title);
  tile.setAttribute("aria-pressed", "false");
  tile.style.backgroundImage = `url("${thumbnail}")`;
  tile.addEventListener("click", () => chooseStyle(id, optimise));
  state.names.set(id, name);
  if (uploaded) $("style-upload").after(tile);
  else $("styles").append(tile);
  return tile;
}

function chooseStyle(id, optimise) {
  state.style = id;
  state.styleOptimise = optimise;
  for (const tile of document.querySelectorAll(".style-tile[data-style]")) {
    const on = tile.dataset.style === id;
    tile.classList.toggle("selected", on);
    tile.setAttribute("aria-pressed", String(on));
  }
  $("style-name").textContent = state.names.get(id) + (optimise ? "" : " · Fast only");
  refresh();
}

async function loadStyles() {
  try {
    const styles = await api("GET", "/api/styles");
    for (const s of styles) addStyleTile(s.id, s.name, s.thumbnail, s.optimise);
  } catch (error) {
    say(`Cannot list the styles: ${error.message}`);
  }
}

$("style-input").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  try {
    const image = await upload(file);
    addStyleTile(image.id, file.name, URL.createObjectURL(file), true, true);
    chooseStyle(image.id, true);
  } catch (error) {
    say(`Painting refused: ${error.message}`);
  }
});

// ---- modes ----
function setMode(mode) {
  state.mode = mode;
  for (const name of ["fast", "optimise"]) {
    const on = name === mode;
    $(`mode-${name}`).classList.toggle("active", on);
    $(`mode-${name}`).setAttribute("aria-selected", on);
    $(`panel-${name}`).hidden = !on;
  }
  refresh();
}
$("mode-fast").addEventListener("click", () => setMode("fast"));
$("mode-optimise").addEventListener("click", () => setMode("optimise"));

// Why Start cannot be pressed now, or "" when it can.
function startBlocker() {
  if (state.optimise.state === "off") return state.optimise.reason;
  if (state.job) return "A job is running: wait for it or cancel it.";
  if (!state.content) return "Choose a photo first.";
  if (!state.style) return "Choose a style.";
  if (!state.styleOptimise) {
    return `“${state.names.get(state.style)}” paints in Fast only: choose a painting to optimise.`;
  }
  return "";  // while the server still checks its network, a job waits for it
}

function updateStart() {
  const blocker = startBlocker();
  $("start").disabled = !!blocker;
  $("start-reason").textContent = blocker;
  const off = state.optimise.state === "off";
  $("mode-optimise").textContent = off ? "Optimise (off)" : "Optimise";
  $("mode-optimise").title = off ? state.optimise.reason : "";
}

function refresh() {
  updateStart();
  if (state.mode === "fast") scheduleFast(0);
}

// Whether the server can optimise (its loss network's weights), asked once it has decided.
async function checkOptimise() {
  try {
    const health = await api("GET", "/api/health");
    state.optimise = { state: health.optimise, reason: health.optimise_reason };
    if (health.optimise === "checking") setTimeout(checkOptimise, 1000);
    updateStart();
  } catch (error) {
    setTimeout(checkOptimise, 2000);
  }
}

// ---- fast ----
$("strength").addEventListener("input", () => {
  $("strength-value").textContent = `${$("strength").value} %`;
  scheduleFast(60);
});
$("preserve-colors").addEventListener("change", () => scheduleFast(0));

function scheduleFast(delay) {
  clearTimeout(state.fastTimer);
  state.fastTimer = setTimeout(renderFast, delay);
}

async function renderFast() {
  if (state.mode !== "fast" || !state.content || !state.style) return;
  const seq = ++state.fastSeq;
  $("busy").hidden = false;
  try {
    const result = await api("POST", "/api/fast", {
      content: state.content, style: state.style, size: 512,
      strength: $("strength").valueAsNumber / 100, preserve_colors: $("preserve-colors").checked,
    });
    if (seq !== state.fastSeq) return;
    say("");
    const name = state.names.get(state.style);
    show(result, `Fast · ${name} · ${result.width}×${result.height} · ${result.seconds} s`);
  } catch (error) {
    if (seq !== state.fastSeq) return;
    if (error.status === 503) {
      say(`Busy; trying again in ${error.retryAfter || 2} s…`, true);
      scheduleFast(1000 * (Number(error.retryAfter) || 2));
    } else say(error.message);
  } finally {
    if (seq === state.fastSeq) $("busy").hidden = true;
  }
}

// ---- result ----
// The canvas and Download always show one image: a result (downloadable), or a job's preview
// (not downloadable: Download and Keep are off until the job gives a result).
function paint(url, label) {
  const img = $("result");
  img.src = url;
  img.hidden = false;
  $("placeholder").hidden = true;
  $("result-info").textContent = label;
}

function show(result, label) {
  state.current = { ...result, label };
  state.settled = state.current;
  state.shown.add(result.id);
  paint(result.url, label);
  $("keep").disabled = state.kept.has(result.id);
  $("download").href = `${result.url}?download=true`;
  $("download").classList.remove("disabled");
}

function showPreview(url, label) {
  state.current = null;
  paint(url, label);
  $("keep").disabled = true;
  $("download").removeAttribute("href");
  $("download").classList.add("disabled");
}

function showSettled() {
  if (state.settled) show(state.settled, state.settled.label);
  else {
    $("result").hidden = true;
    $("result").removeAttribute("src");
    $("placeholder").hidden = false;
    $("result-info").textContent = "";
  }
}

// Small results (a 64 px optimisation) are scaled up to be seen; large ones fit the canvas.
const SHOWN_SIDE = 448;
$("result").addEventListener("load", () => {
  const img = $("result");
  const scale = Math.max(1, SHOWN_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
  img.style.width = `${Math.round(img.naturalWidth * scale)}px`;
});

function keep(result) {
  if (!result || state.kept.has(result.id)) return;
  state.kept.add(result.id);
  const item = document.createElement("li");
  item.dataset.result = result.id;
  item.innerHTML = `<img alt=""><span></span><br><a download>download</a>`;
  item.querySelector("img").src = result.url;
  item.querySelector("span").textContent = result.label;
  item.querySelector("a").href = `${result.url}?download=true`;
  item.querySelector("img").addEventListener("click", () => show(result, result.label));
  $("results").prepend(item);
  $("keep").disabled = true;
}
$("keep").addEventListener("click", () => keep(state.current));

// ---- optimise ----
$("start").addEventListener("click", async () => {
  const size = Math.min(512, Math.max(64, Math.round($("size").valueAsNumber || 256)));
  const iterations = Math.min(300, Math.max(1, Math.round($("iterations").valueAsNumber || 100)));
  $("size").value = size;
  $("iterations").value = iterations;
  try {
    const status = await api("POST", "/api/jobs", {
      content: state.content, style: state.style, size, iterations,
      preserve_colors: $("preserve-colors-opt").checked,
    });
    follow(status);
  } catch (error) {
    const wait = error.retryAfter ? ` (try again in ${error.retryAfter} s)` : "";
    say(`${error.message}${wait}`);
  }
});

$("cancel").addEventListener("click", async () => {
  if (!state.job) return;
  try { await api("DELETE", `/api/jobs/${state.job.id}`); } catch (error) { say(error.message); }
});

function follow(status) {
  const events = new EventSource(`/api/jobs/${status.id}/events`);
  state.job = { id: status.id, events, name: state.names.get(state.style) };
  $("cancel").disabled = false;
  updateStart();
  say("");
  update(status);
  events.addEventListener("status", (e) => update(JSON.parse(e.data)));
  events.onerror = () => { if (state.job && state.job.events === events) say("Lost the server…", true); };
}

function update(status) {
  const progress = $("progress");
  progress.max = status.iterations;
  progress.value = status.iteration;
  const place = status.position > 1 ? `${status.position - 1} job(s) ahead` : "next";
  const text = {
    queued: `Waiting in line: ${place}.`,
    running: `Painting: iteration ${status.iteration} of ${status.iterations}.`,
    done: "Done.",
    failed: `Failed: ${status.error}`,
    cancelled: "Cancelled.",
  }[status.state];
  $("job-text").textContent = text;
  if (status.preview && status.state === "running") {
    showPreview(status.preview, `Optimising · iteration ${status.iteration} (preview)`);
  }
  if (["done", "failed", "cancelled"].includes(status.state)) {
    state.job.events.close();
    const name = state.job.name;
    state.job = null;
    $("cancel").disabled = true;
    refresh();
    if (status.state === "done") {
      const { width, height } = status.result;
      show(status.result, `Optimised · ${name} · ${status.iterations} it · ${width}×${height}`);
      keep(state.current);
    } else showSettled();  // the failure is in the panel, once
  }
}

// ---- closing the page forgets this session's results and uploads on the server ----
// One beacon, not a request per item: a closing page may drop some of many keepalive fetches.
window.addEventListener("pagehide", () => {
  const leftovers = {
    results: [...state.shown], images: [...state.uploads], jobs: state.job ? [state.job.id] : [],
  };
  const body = new Blob([JSON.stringify(leftovers)], { type: "application/json" });
  navigator.sendBeacon("/api/forget", body);
});

loadStyles();
checkOptimise();
