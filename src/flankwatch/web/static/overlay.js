// Draws the picture over the base map: tracks and own forces as HTML symbols (each carries
// data-track-id or data-own-id), trails, velocity leaders, the predicted paths to the border
// and shot lines as GeoJSON lines, airports' open or closed state.

import { HtmlSymbols } from "./markers.js";
import { ownSidc, symbol, trackSidc } from "./symbols.js";

const SYMBOL_PX = 22;
const LEADER_S = 180; // a velocity leader shows where the track will be in this many seconds
const EARTH_M = 6371008.8; // mean Earth radius, m (IUGG)

/** The [lon, lat] reached from `lon`, `lat` (deg) after `distance_m` on course `course_deg`. */
export function ahead(lon, lat, course_deg, distance_m) {
  const course = (course_deg * Math.PI) / 180;
  const dlat = (distance_m * Math.cos(course)) / EARTH_M;
  const dlon = (distance_m * Math.sin(course)) / (EARTH_M * Math.cos((lat * Math.PI) / 180));
  return [lon + (dlon * 180) / Math.PI, lat + (dlat * 180) / Math.PI];
}

function line(coordinates, properties) {
  return { type: "Feature", geometry: { type: "LineString", coordinates }, properties };
}

function collection(features) {
  return { type: "FeatureCollection", features };
}

export class Overlay {
  /** `onSelect(id)` is called when a track symbol is clicked. */
  constructor(map, airports, onSelect) {
    this.map = map;
    this.airports = airports; // the base map's airports FeatureCollection
    this.own = new HtmlSymbols(map, "ownId", null);
    this.tracks = new HtmlSymbols(map, "trackId", onSelect);
    this.selected = null;
  }

  /** Redraw everything from `picture`. */
  draw(picture) {
    this.tracks.update(
      picture.tracks,
      (t) => symbol(trackSidc(t.idn, t.cls, t.st === "coasting"), SYMBOL_PX),
      (element, t) => {
        element.title = `track ${t.id} ${t.cs || t.icao || ""}`.trim();
        element.classList.toggle("tentative", t.st === "tentative");
        element.classList.toggle("selected", t.id === this.selected);
      },
    );
    this.own.update(
      picture.own,
      (o) => symbol(ownSidc(o.kind), SYMBOL_PX),
      (element, o) => { element.title = `${o.kind} ${o.cs || ""}`.trim(); },
    );
    const trails = [];
    const leaders = [];
    const paths = [];
    for (const track of picture.tracks.values()) {
      const properties = { id: track.id, idn: track.idn };
      const trail = picture.trails.get(track.id);
      if (trail && trail.length > 1) trails.push(line(trail, properties));
      if (track.spd > 0) {
        leaders.push(line([[track.lon, track.lat], ahead(track.lon, track.lat, track.crs, track.spd * LEADER_S)], properties));
      }
      if (track.path && track.path.length) paths.push(line([[track.lon, track.lat], ...track.path], properties));
    }
    const shots = [...picture.shots.values()].map((s) => line([s.from, s.aim], { outcome: s.outcome || "" }));
    this.setData("trails", trails);
    this.setData("leaders", leaders);
    this.setData("paths", paths);
    this.setData("shots", shots);
    this.drawAirports(picture.airports);
  }

  setData(source, features) {
    const target = this.map.getSource(source);
    if (target) target.setData(collection(features));
  }

  drawAirports(states) {
    const key = JSON.stringify([...states.values()].map((a) => [a.icao, a.closed]));
    if (!this.airports || key === this.airportsKey) return;
    this.airportsKey = key;
    const features = this.airports.features.map((feature) => {
      const state = states.get(feature.properties.icao);
      return { ...feature, properties: { ...feature.properties, closed: Boolean(state && state.closed) } };
    });
    this.setData("airports", features);
  }

  select(id) {
    this.selected = id;
    this.tracks.mark(id, "selected");
  }
}
