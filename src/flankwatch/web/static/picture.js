// The client's picture: what the frames of /ws have said so far. A frame carries only what
// changed; a full frame (after connecting and after a seek) replaces everything.

const TRAIL_POINTS = 40; // positions kept per track for its trail
const SHOT_SHOWN_S = 120; // a shot is drawn this long after it was fired (picture time, s)
const EVENTS_KEPT = 300;
const SEVERITY = ["hostile", "suspect", "unknown", "pending", "neutral", "assumed-friend", "friend"];

export class Picture {
  constructor() {
    this.clear();
    this.t_s = 0;
    this.utc = "";
    this.playing = false;
    this.speed = 1;
    this.frames = 0;
  }

  /** Forget everything drawn (a full frame follows). */
  clear() {
    this.tracks = new Map(); // id -> TRACK of the contract
    this.trails = new Map(); // id -> [[lon, lat], ...] oldest first
    this.own = new Map(); // id -> own aircraft or weapon
    this.airports = new Map(); // icao -> {closed, since_s}
    this.shots = new Map(); // shot_id -> shot
    this.alerts = new Map(); // alert_id -> {kind, track_id, headline, messages: [...]}
    this.events = [];
  }

  /** Apply one `frame` message; returns the ids of the tracks it set or deleted. */
  apply(frame) {
    if (frame.full) this.clear();
    this.t_s = frame.t_s;
    this.utc = frame.utc;
    this.playing = frame.playing;
    this.speed = frame.speed;
    this.frames += 1;
    const changed = new Set();
    const tracks = frame.tracks || {};
    for (const id of tracks.del || []) {
      this.tracks.delete(id);
      this.trails.delete(id);
      changed.add(id);
    }
    for (const track of tracks.set || []) {
      this.tracks.set(track.id, track);
      const trail = this.trails.get(track.id) || [];
      const last = trail[trail.length - 1];
      if (!last || last[0] !== track.lon || last[1] !== track.lat) trail.push([track.lon, track.lat]);
      if (trail.length > TRAIL_POINTS) trail.shift();
      this.trails.set(track.id, trail);
      changed.add(track.id);
    }
    const own = frame.own || {};
    for (const id of own.del || []) this.own.delete(id);
    for (const item of own.set || []) this.own.set(item.id, item);
    for (const airport of frame.airports || []) this.airports.set(airport.icao, airport);
    for (const shot of frame.shots || []) this.shots.set(shot.shot_id, shot);
    for (const [id, shot] of this.shots) {
      if (frame.t_s - shot.t_s > SHOT_SHOWN_S) this.shots.delete(id);
    }
    for (const message of frame.alerts || []) this.addAlertMessage(message);
    this.events.push(...(frame.events || []));
    if (this.events.length > EVENTS_KEPT) this.events.splice(0, this.events.length - EVENTS_KEPT);
    return changed;
  }

  addAlertMessage(message) {
    let alert = this.alerts.get(message.alert_id);
    if (!alert) {
      alert = { alert_id: message.alert_id, kind: message.kind, track_id: message.track_id, messages: [] };
      this.alerts.set(message.alert_id, alert);
    }
    alert.headline = message.headline || alert.headline;
    alert.messages.push(message);
  }

  /**
   * Tracks by threat rank (ranked first, 1 = highest); the unranked by identity (hostile
   * first), then by time to the border (soonest first), then by id.
   */
  ranked() {
    const severity = (t) => {
      const index = SEVERITY.indexOf(t.idn);
      return index < 0 ? SEVERITY.length : index;
    };
    return [...this.tracks.values()].sort(
      (a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity)
        || severity(a) - severity(b)
        || (a.ttb ?? Infinity) - (b.ttb ?? Infinity)
        || a.id - b.id,
    );
  }
}
