// nst_tf web app: painting in this browser (LiteRT.js; the photo and the painting stay here),
// or on the server over the JSON API (see /docs). A static site (nst-tf export web) paints here.
import {
  $, STATIC_SITE, api, hooks, say, serverContent, serverStyle, show, showSettled, state, upload,
} from "./common.js";
import * as lite from "./litert.js";
import * as local from "./local.js";
import { checkOptimise, updateStart } from "./optimise.js";

// ---- photo ----
async function setPhoto(file) {
  if (!file) return;
  say(state.local ? "Reading the photo…" : "Uploading the photo…", true);
  try {
    let width, height, note = "";
    if (state.local) {
      const read = await local.readFile(file);
      state.photo = { file, picture: read.picture };
      state.content = null;
      ({ width, height } = read);
      const { width: w, height: h } = read.picture;
      if (read.scaled) note = ` · scaled to ${w}×${h}`;
    } else {
      const image = await upload(file);
      state.photo = { file, picture: null };
      state.content = image.id;
      ({ width, height } = image);
    }
    const preview = $("photo-preview");
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    $("dropzone-text").textContent = `${file.name} · ${width}×${height}${note} (change)`;
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
  if (state.camera) cameraLook().catch((error) => say(error.message));
  refresh();
}

async function loadStyles() {
  try {
    const listed = STATIC_SITE ? null : await api("GET", "api/styles");
    const m = state.local || STATIC_SITE ? await loadLooks() : null;
    const styles = listed || m.styles.map((s) => ({
      id: s.id, name: s.name, optimise: s.kind === "painting",
      thumbnail: `static/models/thumbnails/${s.id}.jpg`,
    }));
    for (const s of styles) addStyleTile(s.id, s.name, s.thumbnail, s.optimise);
  } catch (error) {
    say(`Cannot list the styles: ${error.message}`);
  }
}

let paintings = 0;
$("style-input").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  try {
    const id = `painting-${++paintings}`;
    const look = { file };
    if (state.local) look.picture = (await local.readFile(file)).picture;
    else state.serverIds.set(id, (await upload(file)).id);
    state.looks.set(id, look);
    addStyleTile(id, file.name, URL.createObjectURL(file), true, true);
    chooseStyle(id, true);
  } catch (error) {
    say(`Painting refused: ${error.message}`);
  }
});

// How this browser paints a style: {vector} (a painting) or {index, count} (the 26 styles).
async function localStyle(id) {
  const look = state.looks.get(id);
  if (!look) throw new Error("this style cannot be painted in this browser");
  if (look.file && !look.vector) {
    look.picture ||= (await local.readFile(look.file)).picture;
    look.vector = await local.vectorOf(look.picture);
  }
  return look;
}

async function localPhoto() {
  state.photo.picture ||= (await local.readFile(state.photo.file)).picture;
  return state.photo.picture;
}

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

function refresh() {
  updateStart();
  if (state.mode === "fast") scheduleFast(0);
}
hooks.refresh = refresh;

// ---- painting here or on the server ----
function setLocal(on, reason) {
  state.local = on;
  $("in-browser").checked = on;
  $("browser-state").textContent = reason || (on
    ? "The photo and the painting stay on this machine: nothing is uploaded."
    : "The server paints: the photo and the painting are uploaded to it.");
}

async function startLocal() {
  if (!lite.supported()) {
    $("in-browser").disabled = true;
    setLocal(false, "This browser cannot run WebAssembly: the server paints.");
    return;
  }
  $("in-browser").disabled = STATIC_SITE;
  setLocal(true);
  try {
    await lite.warmUp();
    const threads = lite.runtimeInfo.threads ? "several threads" : "one thread";
    $("browser-state").textContent += ` Runtime ready (${threads}).`;
  } catch (error) {
    if (STATIC_SITE) { say(`Cannot paint in this browser: ${error.message}`); return; }
    $("in-browser").disabled = true;
    setLocal(false, `Cannot paint in this browser (${error.message}): the server paints.`);
    refresh();
  }
}

$("in-browser").addEventListener("change", async () => {
  if ([...state.looks.values()].every((look) => look.file)) {
    try { await loadLooks(); } catch (error) { say(error.message); }
  }
  setLocal($("in-browser").checked);
  if (!state.local) stopCamera();
  refresh();
});

async function loadLooks() {
  const m = await lite.manifest();
  const network = m.styles.filter((s) => s.kind === "network").length;
  for (const s of m.styles) {
    state.looks.set(s.id, s.vector ? { vector: new Float32Array(s.vector) }
      : { index: s.index, count: network });
  }
  return m;
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
  if (state.mode !== "fast" || !state.photo || !state.style || state.camera) return;
  const seq = ++state.fastSeq;
  const strength = $("strength").valueAsNumber / 100;
  const keepColors = $("preserve-colors").checked;
  const name = state.names.get(state.style);
  $("busy").hidden = false;
  try {
    if (state.local) {
      const started = performance.now();
      const look = await localStyle(state.style);
      const picture = await local.paint(await localPhoto(), look, strength, keepColors);
      if (seq !== state.fastSeq) return;
      const seconds = (performance.now() - started) / 1000;
      window.nstPainted = { seconds, at: performance.now() };
      const url = await local.pictureUrl(picture);
      say("");
      const { width, height } = picture;
      show({ id: `local-${seq}`, url, width, height, local: true },
        `In this browser · ${name} · ${width}×${height} · ${seconds.toFixed(2)} s`);
      return;
    }
    const result = await api("POST", "api/fast", {
      content: await serverContent(), style: await serverStyle(state.style), size: 512,
      strength, preserve_colors: keepColors,
    });
    if (seq !== state.fastSeq) return;
    say("");
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

// ---- the camera (in this browser only) ----
const camera = new local.Camera($("camera-video"), $("live"), (fps) => {
  $("fps").textContent = `${fps.toFixed(1)} fps`;
  $("fps").dataset.fps = fps.toFixed(2);
  const { width, height } = $("live");
  $("result-info").textContent = `Camera · ${state.names.get(state.style)} · ${width}×${height}`;
}, (error) => say(`Camera stopped: ${error.message}`));
let cameraVector = null;

async function cameraLook() {
  const look = await localStyle(state.style);
  if (!look.vector) throw new Error("The camera paints with a painting: choose one.");
  cameraVector = look.vector;
}

$("camera-start").addEventListener("click", async () => {
  if (!state.local) return say("The camera paints in this browser: turn on “Paint in this browser”.");
  if (!state.style) return say("Choose a painting for the camera first.");
  try {
    await cameraLook();
    state.camera = true;
    $("camera-start").disabled = true;
    $("camera-stop").disabled = false;
    $("live").hidden = false;
    $("result").hidden = true;
    $("placeholder").hidden = true;
    say("");
    await camera.start(() => ({
      vector: cameraVector, strength: $("strength").valueAsNumber / 100,
      keepColors: $("preserve-colors").checked,
    }));
  } catch (error) {
    stopCamera();
    say(`Camera: ${error.message}`);
  }
});

function stopCamera() {
  camera.stop();
  if (!state.camera) return;
  state.camera = false;
  $("camera-start").disabled = false;
  $("camera-stop").disabled = true;
  $("live").hidden = true;
  $("fps").textContent = "";
  showSettled();
}
$("camera-stop").addEventListener("click", stopCamera);

// ---- closing the page forgets this session's results and uploads on the server ----
// One beacon, not a request per item: a closing page may drop some of many keepalive fetches.
window.addEventListener("pagehide", () => {
  if (STATIC_SITE) return;
  const leftovers = {
    results: [...state.shown], images: [...state.uploads], jobs: state.job ? [state.job.id] : [],
  };
  const body = new Blob([JSON.stringify(leftovers)], { type: "application/json" });
  navigator.sendBeacon("api/forget", body);
});

if (STATIC_SITE) {
  $("mode-optimise").hidden = true;
  $("api-link").hidden = true;
  $("fast-hint").textContent = "One pass of a pretrained network: any painting (Magenta's "
    + "arbitrary stylisation) or one of the 26 built-in styles (marked fast), at 384 px.";
} else checkOptimise();
startLocal();
loadStyles();
document.documentElement.dataset.ready = "true";  // the controls listen
