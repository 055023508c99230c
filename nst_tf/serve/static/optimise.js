// Optimise mode: a Gatys optimisation on the server, followed with Server-Sent Events.
import {
  $, api, hooks, say, serverContent, serverStyle, show, showPreview, showSettled, keep, state,
} from "./common.js";

// Why Start cannot be pressed now, or "" when it can.
function startBlocker() {
  if (state.optimise.state === "off") return state.optimise.reason;
  if (state.job) return "A job is running: wait for it or cancel it.";
  if (!state.photo) return "Choose a photo first.";
  if (!state.style) return "Choose a style.";
  if (!state.styleOptimise) {
    return `“${state.names.get(state.style)}” paints in Fast only: choose a painting to optimise.`;
  }
  return "";  // while the server still checks its network, a job waits for it
}

export function updateStart() {
  const blocker = startBlocker();
  $("start").disabled = !!blocker;
  $("start-reason").textContent = blocker;
  const off = state.optimise.state === "off";
  $("mode-optimise").textContent = off ? "Optimise (off)" : "Optimise";
  $("mode-optimise").title = off ? state.optimise.reason : "";
}

// Whether the server can optimise (its loss network's weights), asked once it has decided.
export async function checkOptimise() {
  try {
    const health = await api("GET", "api/health");
    state.optimise = { state: health.optimise, reason: health.optimise_reason };
    if (health.optimise === "checking") setTimeout(checkOptimise, 1000);
    updateStart();
  } catch (error) {
    setTimeout(checkOptimise, 2000);
  }
}

$("start").addEventListener("click", async () => {
  const size = Math.min(512, Math.max(64, Math.round($("size").valueAsNumber || 256)));
  const iterations = Math.min(300, Math.max(1, Math.round($("iterations").valueAsNumber || 100)));
  $("size").value = size;
  $("iterations").value = iterations;
  try {
    const status = await api("POST", "api/jobs", {
      content: await serverContent(), style: await serverStyle(state.style), size, iterations,
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
  try { await api("DELETE", `api/jobs/${state.job.id}`); } catch (error) { say(error.message); }
});

function follow(status) {
  const events = new EventSource(`api/jobs/${status.id}/events`);
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
    hooks.refresh();
    if (status.state === "done") {
      const { width, height } = status.result;
      show(status.result, `Optimised · ${name} · ${status.iterations} it · ${width}×${height}`);
      keep(state.current);
    } else showSettled();  // the failure is in the panel, once
  }
}
