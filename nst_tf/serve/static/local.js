// In-browser mode: files read here (never uploaded), painted with LiteRT.js, and the live camera.
import * as lite from "./litert.js";

const MAX_BYTES = 50 * 2 ** 20;
const MAX_PIXELS = 100e6;  // more is refused before decoding (a decompression bomb)
const KEEP_SIDE = 1024;    // larger photos are scaled down to this once read
const MIN_SIDE = 16;

function sniff(b) {
  if (b[0] === 0xff && b[1] === 0xd8) return "jpeg";
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
  const text = (from, to) => String.fromCharCode(...b.subarray(from, to));
  if (text(0, 4) === "RIFF" && text(8, 12) === "WEBP") return "webp";
  if (text(0, 4) === "GIF8") return "gif";
  return null;
}

// Whether the file ends as its format ends (a truncated file would decode half grey).
function complete(b, kind) {
  const n = b.length;
  if (kind === "jpeg") {
    for (let i = n - 2; i >= Math.max(2, n - 65536); i--) {
      if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
    }
    return false;
  }
  if (kind === "png") return String.fromCharCode(...b.subarray(n - 8, n - 4)) === "IEND";
  if (kind === "webp") return (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) + 8 <= n;
  return b[n - 1] === 0x3b;  // GIF trailer
}

// [width, height] from the header, where it is easy to read (PNG, JPEG), else null.
function headerSize(b, kind) {
  if (kind === "png" && b.length >= 24) {
    const word = (i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    return [word(16), word(20)];
  }
  if (kind !== "jpeg") return null;
  let i = 2;
  while (i + 9 < b.length && b[i] === 0xff) {
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; }
    const sof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (sof) return [(b[i + 7] << 8) | b[i + 8], (b[i + 5] << 8) | b[i + 6]];
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return null;
}

function canvasOf(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

// A photo or painting file as a picture (at most KEEP_SIDE px a side); a clear Error otherwise.
export async function readFile(file) {
  const name = file.name || "the file";
  if (file.size > MAX_BYTES) throw new Error(`${name} is over 50 MB`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const kind = sniff(bytes);
  if (!kind) throw new Error(`${name} is not an image (JPEG, PNG, WebP or GIF)`);
  if (!complete(bytes, kind)) throw new Error(`${name} is truncated: the file ends early`);
  const size = headerSize(bytes, kind);
  if (size && size[0] * size[1] > MAX_PIXELS) {
    throw new Error(`${name} is ${size[0]}×${size[1]} px, over 100 megapixels`);
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: `image/${kind}` }));
  } catch (error) {
    throw new Error(`${name} cannot be read as an image (damaged or too large)`);
  }
  const { width, height } = bitmap;
  if (Math.min(width, height) < MIN_SIDE) {
    bitmap.close();
    throw new Error(`${name} is ${width}×${height} px; a side must be at least ${MIN_SIDE} px`);
  }
  const [h, w] = Math.max(width, height) > KEEP_SIDE
    ? lite.scaledSize(height, width, KEEP_SIDE) : [height, width];
  const context = canvasOf(w, h).getContext("2d", { willReadFrequently: true });
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const picture = lite.fromImageData(context.getImageData(0, 0, w, h));
  return { picture, width, height, scaled: w !== width };
}

export function pictureUrl(picture) {
  const canvas = canvasOf(picture.width, picture.height);
  canvas.getContext("2d").putImageData(lite.toImageData(picture), 0, 0);
  return new Promise((resolve) => {
    canvas.toBlob((blob) => resolve(URL.createObjectURL(blob)), "image/png");
  });
}

const vectors = new WeakMap();  // picture -> its style vector

export async function vectorOf(picture) {
  if (!vectors.has(picture)) vectors.set(picture, await lite.styleVector(picture));
  return vectors.get(picture);
}

// Paints a photo in this browser. style: {vector} (a painting) or {index, count} (a style of
// the 26-style network). Returns the picture.
export async function paint(photo, style, strength, keepColors, side) {
  const m = await lite.manifest();
  const [h, w] = lite.scaledSize(photo.height, photo.width, side || m.paint_side);
  const content = lite.resize(photo, h, w);
  let painted;
  if (style.vector) {
    const own = strength < 1 ? await vectorOf(photo) : null;
    painted = await lite.paintArbitrary(content, lite.mix(style.vector, own, strength));
  } else {
    const stylized = await lite.paintNetwork(content, style.index, style.count);
    painted = lite.blend(stylized, content, strength);
  }
  return keepColors ? lite.keepColors(painted, content) : painted;
}

// ---- the camera ----
export class Camera {
  constructor(video, canvas, onFps, onFail) {
    this.video = video;
    this.canvas = canvas;
    this.onFps = onFps;
    this.onFail = onFail;
    this.stream = null;
    this.running = false;
  }

  // Opens the camera and paints frames with settings() -> {vector, strength, keepColors}.
  async start(settings) {
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false,
    });
    this.video.srcObject = this.stream;
    this.video.dataset.tracks = "live";
    await this.video.play();
    this.running = true;
    this.loop(settings).catch((error) => {
      this.stop();
      this.onFail(error);
    });
  }

  async loop(settings) {
    const m = await lite.manifest();
    const times = [];
    let own = null;
    while (this.running) {
      const { videoWidth: vw, videoHeight: vh } = this.video;
      if (!vw || !vh) { await new Promise((r) => setTimeout(r, 30)); continue; }
      const [h, w] = lite.scaledSize(vh, vw, m.camera_side);
      const grab = canvasOf(w, h).getContext("2d", { willReadFrequently: true });
      grab.drawImage(this.video, 0, 0, w, h);
      const frame = lite.fromImageData(grab.getImageData(0, 0, w, h));
      const { vector, strength, keepColors } = settings();
      if (strength < 1 && !own) own = await lite.styleVector(frame);  // the first frame's look
      let painted = await lite.paintArbitrary(frame, lite.mix(vector, own, strength));
      if (keepColors) painted = lite.keepColors(painted, frame);
      if (!this.running) break;
      this.canvas.width = w;
      this.canvas.height = h;
      this.canvas.getContext("2d").putImageData(lite.toImageData(painted), 0, 0);
      const now = performance.now();
      times.push(now);
      while (times.length > 1 && now - times[0] > 2000) times.shift();
      if (times.length > 1) this.onFps(((times.length - 1) * 1000) / (now - times[0]));
      await new Promise((resolve) => setTimeout(resolve, 0));  // let the page breathe
    }
  }

  stop() {
    this.running = false;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.video.srcObject = null;
    this.stream = null;
    this.video.dataset.tracks = "ended";
  }
}
