// The page's shared state, the JSON API, the status line and the result on the canvas.
export const $ = (id) => document.getElementById(id);
export const STATIC_SITE = document.documentElement.dataset.site === "static";

export const state = {
  photo: null,        // {file, picture}: the chosen photo (picture: read here, when painted here)
  content: null,      // the photo's id on the server (uploaded when the server paints)
  style: null,        // built-in style name or an uploaded painting's tile id ("painting-N")
  styleOptimise: false, // whether Optimise mode can use the style (a painting)
  names: new Map(),   // style id -> the name shown (built-in title, or the painting's file name)
  looks: new Map(),   // style id -> how this browser paints it: {vector}, {index, count}, {file}
  serverIds: new Map(), // uploaded painting's tile id -> its id on the server
  optimise: { state: "checking", reason: null }, // the server's loss network (/api/health)
  mode: "fast",
  local: false,       // painting in this browser (nothing uploaded)
  camera: false,      // the camera is painting
  current: null,      // the result shown and downloadable: {id, url, width, height, label}
  settled: null,      // the last finished result, shown again when a job ends without one
  fastSeq: 0,         // the latest fast request; older answers are dropped
  fastTimer: null,
  job: null,          // {id, events}
  kept: new Set(),    // result ids listed under Results
  shown: new Set(),   // every server result id this page got (forgotten when it closes)
  uploads: new Set(),
};
export const hooks = { refresh: () => {} };

export function say(message, info) {
  $("status").textContent = message || "";
  $("status").className = info ? "status info" : "status";
}

export async function api(method, url, body) {
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

export async function upload(file) {
  const form = new FormData();
  form.append("file", file);
  const image = await api("POST", "api/images", form);
  state.uploads.add(image.id);
  return image;
}

// The photo's and a style's ids on the server, uploading them the first time the server paints.
export async function serverContent() {
  if (!state.content) state.content = (await upload(state.photo.file)).id;
  return state.content;
}

export async function serverStyle(id) {
  const look = state.looks.get(id);
  if (!look || !look.file) return id;  // a built-in style
  if (!state.serverIds.has(id)) state.serverIds.set(id, (await upload(look.file)).id);
  return state.serverIds.get(id);
}

// ---- result ----
// The canvas and Download always show one image: a result (downloadable), or a job's preview
// (not downloadable: Download and Keep are off until the job gives a result).
function downloadOf(result) {
  return result.local ? result.url : `${result.url}?download=true`;
}

export function paint(url, label) {
  const img = $("result");
  img.src = url;
  img.hidden = state.camera;
  $("placeholder").hidden = true;
  $("result-info").textContent = label;
}

export function show(result, label) {
  state.current = { ...result, label };
  state.settled = state.current;
  if (!result.local) state.shown.add(result.id);
  paint(result.url, label);
  $("keep").disabled = state.kept.has(result.id);
  $("download").href = downloadOf(result);
  $("download").download = result.local ? "nst_tf.png" : "";
  $("download").classList.remove("disabled");
}

export function showPreview(url, label) {
  state.current = null;
  paint(url, label);
  $("keep").disabled = true;
  $("download").removeAttribute("href");
  $("download").classList.add("disabled");
}

export function showSettled() {
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

export function keep(result) {
  if (!result || state.kept.has(result.id)) return;
  state.kept.add(result.id);
  const item = document.createElement("li");
  item.dataset.result = result.id;
  item.innerHTML = `<img alt=""><span></span><br><a download>download</a>`;
  item.querySelector("img").src = result.url;
  item.querySelector("span").textContent = result.label;
  item.querySelector("a").href = downloadOf(result);
  item.querySelector("img").addEventListener("click", () => show(result, result.label));
  $("results").prepend(item);
  $("keep").disabled = true;
}
$("keep").addEventListener("click", () => keep(state.current));
