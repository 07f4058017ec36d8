// The common operating picture: loads the base map, follows /ws and wires the panels.
// A test hook, window.flankwatch, says what is drawn: {ready, mode, t_s, playing, tracks (a
// count), frames, selected, draw_ms (the last redraw's time)} and track(id), the track as the
// last frame gave it.

import { bounds, buildStyle, labels } from "./basemap.js";
import { Operator, Timeline } from "./controls.js";
import { Overlay } from "./overlay.js";
import { detailsHtml, drawTrackList, drawWarnings, escape, eventItems, minutes } from "./panels.js";
import { Picture } from "./picture.js";

const RECONNECT_MS = 2000;
const DETAILS_REFRESH_MS = 2000; // a selected track's details are fetched again at most this often
const ALERTS_REFRESH_MS = 2000;
const EVENTS_SHOWN = 40;
const LIST_REFRESH_MS = 500; // the track list is redrawn at most this often, but after a full frame

const picture = new Picture();
const hook = {
  ready: false, mode: "", t_s: 0, playing: false, tracks: 0, frames: 0, selected: null,
  track: (id) => picture.tracks.get(id) ?? null,
};
window.flankwatch = hook;

const operator = new Operator();
const recorded = new Map(); // alert_id -> {kind, messages} from /api/alerts
let socket = null;
let overlay = null;
let selected = null;
let drawPending = false;
let warningsStale = true;
let eventsStale = true;
let listForced = true;
let listDrawnAt = 0;
let listTimer = null;
let detailsFetchedAt = 0;
let alertsFetchedAt = 0;

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

const timeline = new Timeline(send);

async function loadAlerts() {
  alertsFetchedAt = Date.now();
  const alerts = await getJson("/api/alerts");
  recorded.clear();
  for (const alert of alerts) recorded.set(alert.alert_id, alert);
  warningsStale = true;
  scheduleDraw();
}

async function showDetails(id) {
  selected = id;
  hook.selected = id;
  listForced = true;
  overlay.select(id);
  detailsFetchedAt = Date.now();
  const section = document.getElementById("details");
  const body = document.getElementById("details-body");
  document.getElementById("details-id").textContent = String(id);
  section.hidden = false;
  try {
    const track = await getJson(`/api/tracks/${id}?t_s=${picture.t_s}`);
    if (selected === id) body.innerHTML = detailsHtml(track);
  } catch (error) {
    if (selected === id) body.innerHTML = `<p class="status error">${escape(error.message)}</p>`;
  }
  scheduleDraw();
}

/** A row of the track list chosen: the map moves to the track, then its details show. */
function showFromList(id) {
  const track = picture.tracks.get(id);
  if (track) overlay.map.easeTo({ center: [track.lon, track.lat], duration: 500 });
  showDetails(id);
}

function closeDetails() {
  selected = null;
  hook.selected = null;
  listForced = true;
  overlay.select(null);
  document.getElementById("details").hidden = true;
  scheduleDraw();
}

function draw() {
  const started = performance.now();
  drawPending = false;
  overlay.draw(picture);
  drawList();
  if (warningsStale) {
    drawWarnings(document.getElementById("warnings"), picture.alerts, recorded, picture.t_s, operator.enabled);
    warningsStale = false;
  }
  if (eventsStale) {
    document.getElementById("events").innerHTML = eventItems(picture.events.slice(-EVENTS_SHOWN));
    eventsStale = false;
  }
  timeline.update(picture);
  const utc = picture.utc ? picture.utc.replace("T", " ").replace(/\+00:00$|Z$/, " UTC") : "";
  document.getElementById("clock").textContent = `${utc}  T+${minutes(picture.t_s)}`;
  document.getElementById("counts").textContent =
    `${picture.tracks.size} tracks, ${picture.own.size} own in flight, ${picture.shots.size} shots`;
  Object.assign(hook, {
    t_s: picture.t_s, tracks: picture.tracks.size, frames: picture.frames, playing: picture.playing,
    draw_ms: performance.now() - started,
  });
}

/** Redraw the track list when forced or when it is older than LIST_REFRESH_MS (else later). */
function drawList() {
  const age = performance.now() - listDrawnAt;
  if (listForced || age >= LIST_REFRESH_MS) {
    drawTrackList(document.querySelector("#track-list tbody"), picture, selected, showFromList);
    listForced = false;
    listDrawnAt = performance.now();
  } else if (listTimer === null) {
    listTimer = setTimeout(() => {
      listTimer = null;
      scheduleDraw();
    }, LIST_REFRESH_MS - age);
  }
}

function scheduleDraw() {
  if (!drawPending && overlay) {
    drawPending = true;
    requestAnimationFrame(draw);
  }
}

function onFrame(frame) {
  const changed = picture.apply(frame);
  const alerts = frame.alerts || [];
  if (frame.full) listForced = true;
  if (frame.full || alerts.length) warningsStale = true;
  if (frame.full || (frame.events || []).length) eventsStale = true;
  const unknown = alerts.some((a) => !recorded.has(a.alert_id) || recorded.get(a.alert_id).messages.length
    < picture.alerts.get(a.alert_id).messages.length);
  if (unknown && Date.now() - alertsFetchedAt > ALERTS_REFRESH_MS) loadAlerts();
  if (selected !== null && (frame.full || changed.has(selected)) && Date.now() - detailsFetchedAt > DETAILS_REFRESH_MS) {
    showDetails(selected);
  }
  scheduleDraw();
}

function onHello(message) {
  hook.mode = message.mode;
  document.getElementById("name").textContent = message.name;
  document.getElementById("mode").textContent = message.mode;
  timeline.hello(message);
  if (message.operator && !operator.enabled) {
    operator.enable();
    warningsStale = true; // with acknowledge buttons now
  }
}

function connect() {
  const link = document.getElementById("link");
  socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  socket.onopen = () => { link.textContent = "connected"; link.classList.remove("down"); };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "hello") onHello(message);
    else if (message.type === "frame") onFrame(message);
    else if (message.type === "error") operator.status.textContent = message.message;
  };
  socket.onclose = () => {
    link.textContent = "disconnected";
    link.classList.add("down");
    setTimeout(connect, RECONNECT_MS);
  };
}

function wireOperator() {
  const reason = document.getElementById("decision-reason");
  document.getElementById("declare").onclick = () => operator.decide({
    kind: "declare-identity", track_id: selected, identity: document.getElementById("declare-identity").value,
    reason: reason.value,
  });
  document.getElementById("approve").onclick = () => operator.decide({ kind: "approve-engagement", track_id: selected, reason: reason.value });
  document.getElementById("veto").onclick = () => operator.decide({ kind: "veto-engagement", track_id: selected, reason: reason.value });
  document.getElementById("warnings").addEventListener("click", (event) => {
    const button = event.target.closest("button.ack");
    if (button) operator.decide({ kind: "acknowledge-alert", alert_id: button.dataset.alertId, reason: reason.value });
  });
  document.getElementById("details-close").onclick = closeDetails;
  document.getElementById("operator-form").addEventListener("submit", (event) => event.preventDefault());
}

async function main() {
  const [metadata, basemap] = await Promise.all([getJson("/api/metadata"), getJson("/api/basemap")]);
  const box = bounds(metadata);
  const map = new maplibregl.Map({
    container: "map",
    style: buildStyle(basemap),
    bounds: box || undefined,
    center: box ? undefined : [metadata.origin.lon, metadata.origin.lat],
    zoom: box ? undefined : 6,
    fadeDuration: 0,
    attributionControl: { customAttribution: "Natural Earth" },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));
  await new Promise((resolve) => map.once("load", resolve));
  labels(map, basemap.airports || { features: [] });
  overlay = new Overlay(map, basemap.airports, showDetails);
  if (metadata.operator) operator.enable();
  wireOperator();
  await loadAlerts().catch(() => {});
  connect();
  hook.ready = true;
}

main().catch((error) => {
  document.getElementById("link").textContent = `failed: ${error.message}`;
  document.getElementById("link").classList.add("down");
  hook.error = error.message;
});
