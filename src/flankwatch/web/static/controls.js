// The timeline (play, pause, speed 1x-600x, seek in a replay) and the operator's decisions
// (POST /api/decisions with the token as a Bearer header; the token lives only in this page).

import { minutes } from "./panels.js";

export class Timeline {
  /** `send(message)` sends a control message on the socket. */
  constructor(send) {
    this.send = send;
    this.seek = document.getElementById("seek");
    this.seekValue = document.getElementById("seek-value");
    this.speed = document.getElementById("speed");
    this.speedValue = document.getElementById("speed-value");
    document.getElementById("play").onclick = () => send({ type: "play" });
    document.getElementById("pause").onclick = () => send({ type: "pause" });
    this.speed.oninput = () => { this.speedValue.textContent = `${this.speed.value}x`; };
    this.speed.onchange = () => send({ type: "speed", value: Number(this.speed.value) });
    this.seek.oninput = () => { this.seekValue.textContent = minutes(Number(this.seek.value)); };
    this.seek.onchange = () => send({ type: "seek", t_s: Number(this.seek.value) });
  }

  /** Set up for the run or recording described by the `hello` message. */
  hello(hello) {
    this.seek.max = String(Math.ceil(hello.duration_s || 0));
    this.seek.disabled = hello.mode !== "replay";
    this.seek.title = this.seek.disabled ? "a live run cannot jump" : "jump to a time of the replay";
  }

  /** Show the picture's time and speed (unless the user is moving a slider). */
  update(picture) {
    if (document.activeElement !== this.seek) {
      this.seek.value = String(picture.t_s);
      this.seekValue.textContent = `${minutes(picture.t_s)} / ${minutes(Number(this.seek.max))}`;
    }
    if (document.activeElement !== this.speed) {
      this.speed.value = String(picture.speed);
      this.speedValue.textContent = `${picture.speed}x${picture.playing ? "" : " (paused)"}`;
    }
  }
}

export class Operator {
  constructor() {
    this.section = document.getElementById("operator");
    this.name = document.getElementById("operator-name");
    this.token = document.getElementById("operator-token");
    this.status = document.getElementById("operator-status");
    this.enabled = false;
  }

  /** Show the operator's controls (the server accepts decisions). */
  enable() {
    this.enabled = true;
    this.section.hidden = false;
    for (const element of document.querySelectorAll(".operator-only")) element.hidden = false;
  }

  /** Send one decision (`body` without `operator`); shows and returns whether it was accepted. */
  async decide(body) {
    const headers = { "Content-Type": "application/json" };
    if (this.token.value) headers.Authorization = `Bearer ${this.token.value}`;
    const decision = { ...body, operator: this.name.value || "operator" };
    this.status.dataset.result = "pending";
    let answer;
    try {
      const response = await fetch("/api/decisions", { method: "POST", headers, body: JSON.stringify(decision) });
      answer = { ok: response.status === 202, status: response.status, body: await response.json().catch(() => ({})) };
    } catch (error) {
      answer = { ok: false, status: 0, body: { detail: String(error) } };
    }
    const what = `${body.kind}${body.track_id !== undefined ? ` track ${body.track_id}` : ""}`;
    this.status.textContent = answer.ok
      ? `${what}: accepted (decision ${answer.body.decision_id})`
      : `${what}: refused (${answer.status} ${JSON.stringify(answer.body.detail ?? "")})`;
    this.status.classList.toggle("error", !answer.ok);
    this.status.dataset.result = answer.ok ? "accepted" : "refused";
    return answer.ok;
  }
}
