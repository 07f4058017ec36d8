// APP-6 / MIL-STD-2525C symbols (letter SIDCs) drawn by milsymbol: the frame by standard
// identity, the icon by class. Each distinct symbol is drawn once and cached as SVG text.

/** The SIDC's standard-identity letter for each identity flankwatch assesses. */
const AFFILIATION = {
  pending: "P",
  unknown: "U",
  "assumed-friend": "A",
  friend: "F",
  neutral: "N",
  suspect: "S",
  hostile: "H",
};

/** The air function ID (6 letters) for each class a track may be given. */
const TRACK_FUNCTION = {
  "one-way-attack-drone": "MFQA--", // unmanned aerial vehicle, attack
  decoy: "WD----", // air decoy
  "cruise-missile": "WMCM--", // missile in flight, cruise missile
  "ballistic-missile": "WMB---", // missile in flight, ballistic missile
  "fixed-wing": "MF----", // military fixed wing
  helicopter: "MH----", // military rotary wing
};

/** ... and for each kind of own force in flight. */
const OWN_FUNCTION = {
  fighter: "MFF---",
  missile: "WMAA--", // air-to-air missile
  "interceptor-drone": "MFQ---",
};

const cache = new Map();

/** The 15-letter SIDC of an air track of `identity` and `cls`; civil fixed wing when neutral. */
export function trackSidc(identity, cls, coasting) {
  const affiliation = AFFILIATION[identity] || "U";
  let fn = TRACK_FUNCTION[cls] || "------";
  if (cls === "fixed-wing" && (identity === "neutral" || identity === "assumed-friend")) fn = "CF----";
  return `S${affiliation}A${coasting ? "A" : "P"}${fn}-----`.slice(0, 15);
}

/** The SIDC of an own aircraft or weapon of `kind` (friend). */
export function ownSidc(kind) {
  return `SFAP${OWN_FUNCTION[kind] || "M-----"}-----`.slice(0, 15);
}

/**
 * The symbol `sidc` at `size` px, cached: {sidc, svg (its SVG text), anchor ([x, y] px in the
 * image: the point that stands on the object's position)}.
 */
export function symbol(sidc, size) {
  const key = `${sidc}/${size}`;
  let drawn = cache.get(key);
  if (drawn === undefined) {
    const made = new ms.Symbol(sidc, { size });
    const anchor = made.getAnchor();
    drawn = { sidc, svg: made.asSVG(), anchor: [anchor.x, anchor.y] };
    cache.set(key, drawn);
  }
  return drawn;
}
