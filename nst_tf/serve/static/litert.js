// Painting in this browser: the page's .tflite files on LiteRT.js (WebAssembly, XNNPACK).
// A picture is {data: Float32Array of RGB in [0, 255], width, height}.
import {
  loadAndCompile, loadLiteRt, supportsFeature, Tensor,
} from "./vendor/litertjs/core.js";

const STATIC = new URL("./", import.meta.url);
const MODELS = new URL("models/", STATIC);
const WASM = new URL("vendor/litertjs/wasm/", STATIC);
export const STYLE_SIDE = 256;  // the predictor reads a painting as a 256 x 256 square
export const runtimeInfo = { threads: false, isolated: !!self.crossOriginIsolated };

let manifestPromise = null;
let runtimePromise = null;
const models = new Map();  // file name -> Promise<CompiledModel>
let queue = Promise.resolve();  // one model runs at a time

export function supported() {
  return typeof WebAssembly === "object" && typeof WebAssembly.instantiate === "function";
}

export function manifest() {
  manifestPromise ||= fetch(new URL("manifest.json", MODELS)).then((response) => {
    if (!response.ok) throw new Error(`the models' list is missing (${response.status})`);
    return response.json();
  });
  return manifestPromise;
}

// Threads (the threaded build) need cross-origin isolation (COOP and COEP headers).
// ?threads=off in the page's address loads the single-threaded build anyway.
function wantThreads() {
  return new URLSearchParams(location.search).get("threads") !== "off";
}

export function runtime() {
  runtimePromise ||= (async () => {
    const simd = await supportsFeature("relaxedSimd");
    const threads = runtimeInfo.isolated && wantThreads() && simd &&
      (await supportsFeature("threads"));
    runtimeInfo.threads = threads;
    await loadLiteRt(WASM.href, { threads });
  })();
  runtimePromise.catch(() => { runtimePromise = null; });
  return runtimePromise;
}

function model(file) {
  if (!models.has(file)) {
    const options = { accelerator: "wasm" };
    if (runtimeInfo.threads) {
      options.cpuOptions = { numThreads: Math.min(4, navigator.hardwareConcurrency || 2) };
    }
    const compiled = runtime().then(() => loadAndCompile(new URL(file, MODELS).href, options));
    compiled.catch(() => models.delete(file));
    models.set(file, compiled);
  }
  return models.get(file);
}

// Runs a model on named float inputs ({name: [Float32Array, shape]}); its first output.
function run(file, inputs) {
  const job = queue.then(async () => {
    const compiled = await model(file);
    const tensors = {};
    for (const [name, [data, shape]] of Object.entries(inputs)) {
      tensors[name] = new Tensor(data, shape);
    }
    try {
      const outputs = await compiled.run(tensors);
      const list = Object.values(outputs);
      const data = new Float32Array(list[0].toTypedArray());
      for (const tensor of list) tensor.delete();
      return data;
    } finally {
      for (const tensor of Object.values(tensors)) tensor.delete();
    }
  });
  queue = job.catch(() => {});
  return job;
}

// Loads and compiles the files a first picture needs, before it is asked for.
export async function warmUp() {
  const m = await manifest();
  await model(m.predictor);
  const square = `${m.paint_side}x${m.paint_side}`;
  await model(m.transformers[square]);
}

// ---- pictures ----
export function fromImageData(image) {
  const { width, height, data } = image;
  const out = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < data.length; i += 4, j += 3) {
    out[j] = data[i]; out[j + 1] = data[i + 1]; out[j + 2] = data[i + 2];
  }
  return { data: out, width, height };
}

export function toImageData(picture) {
  const { width, height, data } = picture;
  const out = new ImageData(width, height);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    out.data[i] = data[j]; out.data[i + 1] = data[j + 1]; out.data[i + 2] = data[j + 2];
    out.data[i + 3] = 255;  // Uint8ClampedArray rounds and clips
  }
  return out;
}

function lanczos(x) {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const p = Math.PI * x;
  return (3 * Math.sin(p) * Math.sin(p / 3)) / (p * p);
}

// Pillow's Lanczos weights (antialiased when shrinking), as image_io.resize uses them.
function taps(inSize, outSize) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 3 * filterScale;
  const result = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const min = Math.max(0, Math.trunc(center - support + 0.5));
    const max = Math.min(inSize, Math.trunc(center + support + 0.5));
    const weights = [];
    let total = 0;
    for (let x = min; x < max; x++) {
      const w = lanczos((x - center + 0.5) / filterScale);
      weights.push(w);
      total += w;
    }
    result.push({ min, weights: weights.map((w) => (total ? w / total : 0)) });
  }
  return result;
}

// One pass along x (horizontal) or y, rounded to 8 bits as Pillow does between passes.
function pass(picture, size, horizontal) {
  const { width, height, data } = picture;
  const outW = horizontal ? size : width;
  const outH = horizontal ? height : size;
  const out = new Float32Array(outW * outH * 3);
  const list = taps(horizontal ? width : height, size);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const { min, weights } = list[horizontal ? x : y];
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < weights.length; k++) {
        const index = 3 * (horizontal ? y * width + min + k : (min + k) * width + x);
        r += weights[k] * data[index]; g += weights[k] * data[index + 1];
        b += weights[k] * data[index + 2];
      }
      const o = 3 * (y * outW + x);
      out[o] = Math.min(255, Math.max(0, Math.round(r)));
      out[o + 1] = Math.min(255, Math.max(0, Math.round(g)));
      out[o + 2] = Math.min(255, Math.max(0, Math.round(b)));
    }
  }
  return { data: out, width: outW, height: outH };
}

export function resize(picture, height, width) {
  let out = picture;
  if (width !== out.width) out = pass(out, width, true);
  if (height !== out.height) out = pass(out, height, false);
  return out;
}

export function scaledSize(height, width, longest) {
  const scale = longest / Math.max(height, width);
  return [Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale))];
}

// Reflection padding at the bottom and right (as the network pads itself), and the crop back.
function pad(picture, height, width) {
  const src = picture;
  const out = new Float32Array(height * width * 3);
  const reflect = (i, n) => (i < n ? i : Math.max(0, 2 * n - 2 - i));
  for (let y = 0; y < height; y++) {
    const sy = reflect(y, src.height);
    for (let x = 0; x < width; x++) {
      const s = 3 * (sy * src.width + reflect(x, src.width));
      const o = 3 * (y * width + x);
      out[o] = src.data[s]; out[o + 1] = src.data[s + 1]; out[o + 2] = src.data[s + 2];
    }
  }
  return { data: out, width, height };
}

function crop(data, fullWidth, height, width) {
  const out = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    out.set(data.subarray(3 * y * fullWidth, 3 * (y * fullWidth + width)), 3 * y * width);
  }
  return { data: out, width, height };
}

// The smallest exported size that holds (height, width).
function shapeFor(table, height, width) {
  let best = null;
  for (const key of Object.keys(table)) {
    const [h, w] = key.split("x").map(Number);
    if (h >= height && w >= width && (!best || h * w < best[0] * best[1])) best = [h, w, key];
  }
  if (!best) throw new Error(`no model holds ${width}×${height} px`);
  return best;
}

async function paintPadded(table, picture, inputs) {
  const [h, w, key] = shapeFor(table, picture.height, picture.width);
  const padded = pad(picture, h, w);
  const out = await run(table[key], inputs(padded.data, [1, h, w, 3]));
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, out[i]));
  return crop(out, w, picture.height, picture.width);
}

// ---- the networks ----
export async function styleVector(picture) {
  const m = await manifest();
  const square = resize(picture, STYLE_SIDE, STYLE_SIDE);
  return run(m.predictor, { style_image: [square.data, [1, STYLE_SIDE, STYLE_SIDE, 3]] });
}

export function mix(style, content, strength) {
  if (strength >= 1 || !content) return style;
  return style.map((v, i) => strength * v + (1 - strength) * content[i]);
}

export async function paintArbitrary(picture, vector) {
  const m = await manifest();
  return paintPadded(m.transformers, picture, (data, shape) => ({
    content: [data, shape], style_vector: [new Float32Array(vector), [1, vector.length]],
  }));
}

export async function paintNetwork(picture, index, count) {
  const m = await manifest();
  const weights = new Float32Array(count);
  weights[index] = 1;
  return paintPadded(m.networks, picture, (data, shape) => ({
    images: [data, shape], style_weights: [weights, [1, count]],
  }));
}

// Pixels blended towards the content: strength * painted + (1 - strength) * content.
export function blend(painted, content, strength) {
  if (strength >= 1) return painted;
  const data = painted.data.map((v, i) => strength * v + (1 - strength) * content.data[i]);
  return { ...painted, data };
}

// The painting's luminance with the photo's chroma (YIQ), as nst_tf.colors does.
export function keepColors(painted, content) {
  const out = new Float32Array(painted.data.length);
  const p = painted.data, c = content.data;
  for (let i = 0; i < out.length; i += 3) {
    const y = 0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2];
    const ci = 0.595716 * c[i] - 0.274453 * c[i + 1] - 0.321263 * c[i + 2];
    const cq = 0.211456 * c[i] - 0.522591 * c[i + 1] + 0.311135 * c[i + 2];
    out[i] = Math.min(255, Math.max(0, y + 0.9562957 * ci + 0.6210244 * cq));
    out[i + 1] = Math.min(255, Math.max(0, y - 0.2721220 * ci - 0.6473807 * cq));
    out[i + 2] = Math.min(255, Math.max(0, y - 1.1069890 * ci + 1.7046150 * cq));
  }
  return { ...painted, data: out };
}
