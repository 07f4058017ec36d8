// The side panels: the track list by threat rank, one track's details (from
// /api/tracks/{id}) and the warnings with each alert's life cycle and message text.

const LIST_ROWS = 200; // rows drawn in the track list (the highest threats)

/** `text` safe to put in HTML. */
export function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A duration in s as "m:ss" (or "-" for none). */
export function minutes(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "-";
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function identity(idn) {
  return `<span class="idn-${escape(idn)}">${escape(idn)}</span>`;
}

/** Fill the track list's body from `picture`, marking `selected`; `onSelect(id)` on a click. */
export function drawTrackList(body, picture, selected, onSelect) {
  const rows = picture.ranked().slice(0, LIST_ROWS).map((t) => {
    const name = t.cs || t.icao || "";
    return `<tr data-track-id="${t.id}"${t.id === selected ? ' class="selected"' : ""}>`
      + `<td>${t.rank ?? "-"}</td><td>${t.id} ${escape(name)}</td><td>${identity(t.idn)}</td>`
      + `<td>${escape(t.cls)}</td><td>${minutes(t.ttb)}</td></tr>`;
  });
  body.innerHTML = rows.join("");
  body.onclick = (event) => {
    const row = event.target.closest("tr[data-track-id]");
    if (row) onSelect(Number(row.dataset.trackId));
  };
}

function reasons(list) {
  return list && list.length ? `<ul>${list.map((r) => `<li>${escape(r)}</li>`).join("")}</ul>` : "-";
}

/** `events` (of the contract: t_s, kind, track_id, text) as list items, newest first. */
export function eventItems(events) {
  return [...events].reverse()
    .map((e) => `<li>${minutes(e.t_s)} ${escape(e.kind)}${e.track_id >= 0 ? ` track ${e.track_id}` : ""}`
      + `${e.text ? `: ${escape(e.text)}` : ""}</li>`)
    .join("");
}

/** The details of one track (the /api/tracks/{id} answer) as HTML. */
export function detailsHtml(track) {
  const events = eventItems(track.events || []);
  return `<dl>
      <dt>class</dt><dd class="cls">${escape(track.cls)}</dd>
      <dt>why</dt><dd>${reasons(track.cls_reasons)}</dd>
      <dt>identity</dt><dd class="idn">${identity(track.idn)}</dd>
      <dt>why</dt><dd>${reasons(track.idn_reasons)}</dd>
      <dt>speed</dt><dd>${track.spd == null ? "-" : `${Math.round(track.spd)} m/s (${Math.round(track.spd * 3.6)} km/h)`}</dd>
      <dt>altitude</dt><dd>${track.alt == null ? "-" : `${Math.round(track.alt)} m`}</dd>
      <dt>to border</dt><dd>${minutes(track.ttb)}</dd>
    </dl>
    <h2>Events</h2><ul class="events">${events || "<li>none yet</li>"}</ul>`;
}

/**
 * Fill the warnings list, newest alert first: each alert's messages up to `t_s` (its life
 * cycle) with their text. `alerts` is what the frames said (alert_id -> {kind, track_id,
 * headline, messages}), `recorded` the /api/alerts answer by alert_id ({kind, messages: [{t_s,
 * msg_type, format, body}]}). `ackButton` adds an acknowledge button per alert (operator only).
 */
export function drawWarnings(list, alerts, recorded, t_s, ackButton) {
  const open = new Set([...list.querySelectorAll("details[open]")].map((d) => d.dataset.key));
  const items = [];
  for (const id of new Set([...alerts.keys(), ...recorded.keys()])) {
    const head = alerts.get(id);
    const record = recorded.get(id);
    const shown = (head || record).messages.filter((m) => m.t_s <= t_s);
    if (!shown.length) continue;
    items.push({ id, head, record, shown });
  }
  items.sort((a, b) => b.shown[0].t_s - a.shown[0].t_s);
  list.innerHTML = items.map(({ id, head, record, shown }) => {
    const kind = head ? head.kind : record.kind;
    const cycle = shown.map((m) => `${minutes(m.t_s)} ${escape(m.msg_type)} (${escape(m.format)})`).join(" &rarr; ");
    const bodies = (record ? record.messages : [])
      .filter((m) => m.t_s <= t_s)
      .map((m) => {
        const key = `${id}/${m.t_s}/${m.format}`;
        return `<details data-key="${escape(key)}"${open.has(key) ? " open" : ""}>`
          + `<summary>${escape(m.format)} ${escape(m.msg_type)} at ${minutes(m.t_s)}</summary>`
          + `<pre>${escape(m.body)}</pre></details>`;
      })
      .join("");
    const ack = ackButton ? ` <button class="ack" data-alert-id="${escape(id)}">Acknowledge</button>` : "";
    const track = head && head.track_id >= 0 ? ` track ${head.track_id}` : "";
    const last = String(shown[shown.length - 1].msg_type).toLowerCase();
    return `<li class="${last === "cancel" ? "cancelled" : ""}" data-alert-id="${escape(id)}">`
      + `<strong>${escape(kind)}</strong>${track}${ack}`
      + `<div>${escape(head ? head.headline : "")}</div><div class="status">${cycle}</div>${bodies}</li>`;
  }).join("") || "<li>none</li>";
}
