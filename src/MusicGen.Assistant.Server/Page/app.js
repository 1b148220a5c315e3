// MusicGen Assistant page: plain JavaScript, no build step. Talks to the service's own API:
// conversations CRUD, a turn as multipart streamed back as server-sent events, tracks by id.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { conversation: null, running: null, inputTrack: null, audio: null };

// ---------- API ----------
function headers(extra = {}) {
  const key = localStorage.getItem("mga-api-key");
  return key ? { ...extra, Authorization: "Bearer " + key } : extra;
}
async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: headers(options.headers || {}) });
  if (!res.ok) {
    let detail = res.statusText;
    try { const p = await res.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
    throw new Error(`${res.status}: ${detail}`);
  }
  return res.status === 204 ? null : res.json();
}

// ---------- conversations ----------
async function loadConversations() {
  const list = $("conversation-list");
  const items = await api("/api/conversations");
  list.replaceChildren(...items.map((c) => {
    const li = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button"; open.className = "open"; open.textContent = c.title;
    open.setAttribute("aria-current", String(state.conversation?.id === c.id));
    open.addEventListener("click", () => openConversation(c.id));
    const del = document.createElement("button");
    del.type = "button"; del.textContent = "Delete"; del.setAttribute("aria-label", `Delete conversation ${c.title}`);
    del.addEventListener("click", async () => {
      if (!confirm(`Delete "${c.title}" and its tracks?`)) return;
      await api(`/api/conversations/${c.id}`, { method: "DELETE" });
      if (state.conversation?.id === c.id) newConversation();
      await loadConversations();
    });
    li.append(open, del);
    return li;
  }));
}

function newConversation() {
  state.conversation = null;
  $("conversation-title").textContent = "New conversation";
  $("messages").replaceChildren();
  clearInputTrack();
  loadConversations();
  $("message").focus();
}

async function openConversation(id) {
  const c = await api(`/api/conversations/${id}`);
  state.conversation = c;
  $("conversation-title").textContent = c.title;
  $("messages").replaceChildren(...c.turns.flatMap(renderStoredTurn));
  await loadConversations();
}

// ---------- rendering ----------
function bubble(who, cls) {
  const li = document.createElement("li");
  li.className = `bubble ${cls}`;
  const w = document.createElement("p"); w.className = "who"; w.textContent = who;
  const body = document.createElement("div"); body.className = "text";
  li.append(w, body);
  return li;
}
function userBubble(text, attachment) {
  const li = bubble("You", "user");
  li.querySelector(".text").textContent = text || "(no text)";
  if (attachment) {
    const p = document.createElement("p"); p.className = "help";
    p.textContent = `Attached ${attachment.kind}: ${attachment.fileName}`;
    li.append(p);
  }
  return li;
}
function renderStoredTurn(t) {
  const user = userBubble(t.text, t.attachments[0]);
  const reply = bubble("Assistant", "assistant");
  reply.querySelector(".text").textContent = t.reply;
  if (t.status === "failed" || t.status === "cancelled") addLine(reply, "error", `${t.status}: ${t.error || ""}`);
  for (const track of t.tracks) addTrack(reply, track);
  return [user, reply];
}
function addLine(container, cls, text) {
  const p = document.createElement("p"); p.className = cls; p.textContent = text;
  container.append(p);
  return p;
}
function addTrack(container, track) {
  const box = document.createElement("div"); box.className = "track";
  const audio = document.createElement("audio");
  audio.controls = true; audio.preload = "auto"; audio.src = track.url;
  audio.setAttribute("aria-label", `Track: ${track.title}, ${track.seconds.toFixed(1)} seconds`);
  const canvas = document.createElement("canvas");
  canvas.width = 600; canvas.height = 64; canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Waveform of ${track.title}`);
  const actions = document.createElement("div"); actions.className = "actions";
  const dl = document.createElement("a"); dl.href = track.downloadUrl; dl.textContent = "Download WAV"; dl.setAttribute("download", "");
  const edit = document.createElement("button"); edit.type = "button"; edit.textContent = "Edit this track";
  edit.addEventListener("click", () => useAsInput(track));
  actions.append(dl, edit);
  box.append(audio, canvas, actions);
  box.dataset.trackId = track.id;
  container.append(box);
  drawWaveform(canvas, track.url);
  return box;
}
async function drawWaveform(canvas, url) {
  try {
    const res = await fetch(url, { headers: headers() });
    const data = await res.arrayBuffer();
    const ctx = new OfflineAudioContext(1, 1, 8000);
    const buffer = await ctx.decodeAudioData(data);
    const samples = buffer.getChannelData(0);
    const g = canvas.getContext("2d");
    const { width, height } = canvas;
    g.clearRect(0, 0, width, height);
    g.fillStyle = "#2957c7";
    const step = Math.max(1, Math.floor(samples.length / width));
    for (let x = 0; x < width; x++) {
      let lo = 1, hi = -1;
      for (let i = x * step; i < Math.min(samples.length, (x + 1) * step); i++) { lo = Math.min(lo, samples[i]); hi = Math.max(hi, samples[i]); }
      if (hi < lo) continue;
      g.fillRect(x, (1 - hi) * height / 2, 1, Math.max(1, (hi - lo) * height / 2));
    }
    canvas.dataset.drawn = "true";
  } catch (e) { canvas.dataset.drawn = "failed"; }
}

function useAsInput(track) {
  state.inputTrack = track;
  $("input-track").hidden = false;
  $("input-track-label").textContent = `Editing track "${track.title}" (${track.seconds.toFixed(1)} s): your message says what to add.`;
  $("message").focus();
}
function clearInputTrack() { state.inputTrack = null; $("input-track").hidden = true; }

// ---------- attachments ----------
function showPreview() {
  const file = $("file").files[0];
  const preview = $("preview");
  preview.replaceChildren();
  if (!file) return;
  const url = URL.createObjectURL(file);
  const kind = file.type.split("/")[0];
  let el;
  if (kind === "image") { el = document.createElement("img"); el.alt = `Preview of ${file.name}`; }
  else if (kind === "video") { el = document.createElement("video"); el.controls = true; el.setAttribute("aria-label", `Preview of ${file.name}`); }
  else { el = document.createElement("audio"); el.controls = true; el.setAttribute("aria-label", `Preview of ${file.name}`); }
  el.src = url;
  const remove = document.createElement("button"); remove.type = "button"; remove.textContent = `Remove ${file.name}`;
  remove.addEventListener("click", () => { $("file").value = ""; showPreview(); $("file").focus(); });
  preview.append(el, remove);
}

// ---------- streamed audio (plays while the rest is generated) ----------
class StreamPlayer {
  constructor() { this.ctx = new (window.AudioContext || window.webkitAudioContext)(); this.at = 0; this.chunks = 0; this.sources = []; }
  async resume() { try { await this.ctx.resume(); } catch { /* autoplay refused: the finished player remains */ } }
  push(chunk) {
    const bytes = Uint8Array.from(atob(chunk.pcm16), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    const buffer = this.ctx.createBuffer(chunk.channels, chunk.frames, chunk.sampleRate);
    for (let ch = 0; ch < chunk.channels; ch++) {
      const out = buffer.getChannelData(ch);
      for (let i = 0; i < chunk.frames; i++) out[i] = view.getInt16((i * chunk.channels + ch) * 2, true) / 32768;
    }
    const source = this.ctx.createBufferSource();
    source.buffer = buffer; source.connect(this.ctx.destination);
    this.at = Math.max(this.at, this.ctx.currentTime + 0.05);
    source.start(this.at);
    this.at += buffer.duration;
    this.sources.push(source);
    this.chunks++;
    window.mgaPlayback = { chunks: this.chunks, state: this.ctx.state, scheduledSeconds: this.at };
    document.body.dataset.playback = this.ctx.state === "running" ? "playing" : "blocked";
    $("stream-state").textContent = this.ctx.state === "running" ? "Playing while generating" : "";
  }
  stop() { for (const s of this.sources) { try { s.stop(); } catch { /* not started */ } } this.ctx.close(); }
}

// ---------- a turn ----------
async function send(event) {
  event.preventDefault();
  if (state.running) return;
  const text = $("message").value.trim();
  const file = $("file").files[0];
  if (!text && !file && !state.inputTrack) { announce("Write a message or attach a file first."); $("message").focus(); return; }
  if (!state.conversation) {
    const c = await api("/api/conversations", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: text.slice(0, 60) || (file ? file.name : "New conversation") }) });
    state.conversation = { ...c, turns: [] };
    $("conversation-title").textContent = c.title;
  }
  const form = new FormData();
  form.append("text", text);
  if (file) form.append("file", file);
  if (state.inputTrack) form.append("inputTrackId", state.inputTrack.id);
  if ($("seconds").value) form.append("seconds", $("seconds").value);

  $("messages").append(userBubble(text, file ? { kind: file.type.split("/")[0], fileName: file.name } : null));
  const reply = bubble("Assistant", "assistant");
  reply.setAttribute("aria-busy", "true");
  $("messages").append(reply);
  $("message").value = ""; $("file").value = ""; showPreview(); clearInputTrack();

  const player = new StreamPlayer();
  await player.resume();
  const abort = new AbortController();
  state.running = { abort, player, turnId: null };
  setBusy(true);
  $("live-reply").textContent = "";
  try {
    const res = await fetch(`/api/conversations/${state.conversation.id}/turns`, {
      method: "POST", body: form, signal: abort.signal, headers: headers({ Accept: "text/event-stream" }),
    });
    if (!res.ok) {
      let detail = res.statusText;
      try { const p = await res.json(); detail = p.detail || p.title; } catch { /* not JSON */ }
      const retry = res.headers.get("Retry-After");
      addLine(reply, "error", `${res.status}: ${detail}${retry ? ` (try again in ${retry} s)` : ""}`);
      announce(`Not sent: ${detail}`);
      return;
    }
    await readEvents(res.body, (type, data) => onEvent(type, data, reply, player));
  } catch (e) {
    if (e.name === "AbortError") addLine(reply, "error", "Cancelled.");
    else addLine(reply, "error", String(e.message || e));
  } finally {
    reply.removeAttribute("aria-busy");
    setBusy(false);
    state.running = null;
    loadConversations();
  }
}

function onEvent(type, data, reply, player) {
  const text = reply.querySelector(".text");
  switch (type) {
    case "status":
      $("progress-label").textContent = data.state === "queued" ? `Waiting in the queue (position ${data.position})` : "Working";
      break;
    case "token":
      window.mgaTokens = (window.mgaTokens || 0) + 1; // lets a test see the reply arrive piece by piece
      text.textContent += data.text;
      $("live-reply").textContent += data.text;
      window.mgaLiveReply = $("live-reply").textContent; // what the live region has read out (a track announcement replaces it later)
      break;
    case "progress": {
      $("progress-label").textContent = `${data.stage}`;
      $("progress").value = data.fraction;
      $("progress").setAttribute("aria-valuetext", `${data.stage}: ${Math.round(data.fraction * 100)} percent`);
      $("eta").textContent = data.finished ? "" : data.remainingSeconds != null ? `about ${Math.ceil(data.remainingSeconds)} s left` : "";
      break;
    }
    case "notice": addLine(reply, "notice", data.text); break;
    case "audio": player.push(data); break;
    case "track": addTrack(reply, data); announce(`Track ready: ${data.seconds.toFixed(1)} seconds.`); break;
    case "error": addLine(reply, "error", data.detail || data.title); announce(`Failed: ${data.detail || data.title}`); break;
    case "done":
      if (state.running) state.running.turnId = data.id;
      if (data.status === "cancelled") addLine(reply, "error", "Cancelled.");
      break;
  }
}

async function readEvents(body, handle) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      let type = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) type = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) handle(type, JSON.parse(data));
    }
  }
}

function setBusy(busy) {
  $("turn-status").hidden = !busy;
  $("send").disabled = busy;
  $("progress").value = 0; $("eta").textContent = ""; $("stream-state").textContent = "";
  document.body.dataset.busy = String(busy);
}
function announce(text) { $("live-reply").textContent = text; }

// ---------- wiring ----------
function init() {
  $("api-key").value = localStorage.getItem("mga-api-key") || "";
  $("api-key").addEventListener("change", () => { localStorage.setItem("mga-api-key", $("api-key").value); loadConversations(); });
  $("composer").addEventListener("submit", send);
  $("message").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); } });
  $("new-conversation").addEventListener("click", newConversation);
  $("file").addEventListener("change", showPreview);
  $("clear-input-track").addEventListener("click", () => { clearInputTrack(); $("message").focus(); });
  $("cancel").addEventListener("click", () => {
    const r = state.running; if (!r) return;
    r.abort.abort(); r.player.stop();
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault(); zone.classList.remove("dragging");
    if (e.dataTransfer.files.length) { $("file").files = e.dataTransfer.files; showPreview(); }
  });
  api("/health").then((h) => {
    $("model-banner").textContent = h.untrained ? `Model set: ${h.modelSet}. UNTRAINED: the audio is noise, not music.` : `Model set: ${h.modelSet}`;
  }).catch((e) => { $("model-banner").textContent = `Service: ${e.message}`; });
  loadConversations().catch(() => {});
}
document.addEventListener("DOMContentLoaded", init);
