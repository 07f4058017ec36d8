// Draws the picture over the base map: tracks and own forces as HTML markers holding their
// symbols (each carries data-track-id or data-own-id), trails, velocity leaders, the predicted
// paths to the border and shot lines as GeoJSON lines, airports' open or closed state.

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
    this.onSelect = onSelect;
    this.trackMarkers = new Map(); // id -> {marker, element, sidc}
    this.ownMarkers = new Map();
    this.selected = null;
  }

  /** Redraw everything from `picture`. */
  draw(picture) {
    this.drawMarkers(this.trackMarkers, picture.tracks, "trackId", (t) => trackSidc(t.idn, t.cls, t.st === "coasting"));
    this.drawMarkers(this.ownMarkers, picture.own, "ownId", (o) => ownSidc(o.kind));
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

  drawMarkers(markers, items, dataKey, sidcOf) {
    for (const [id, entry] of markers) {
      if (!items.has(id)) {
        entry.marker.remove();
        markers.delete(id);
      }
    }
    for (const [id, item] of items) {
      let entry = markers.get(id);
      if (!entry) {
        const element = document.createElement("div");
        element.className = "track-symbol";
        element.dataset[dataKey] = String(id);
        if (dataKey === "trackId") {
          element.addEventListener("click", (event) => {
            event.stopPropagation();
            this.onSelect(id);
          });
        }
        entry = { marker: new maplibregl.Marker({ element }), element, sidc: "" };
        entry.marker.setLngLat([item.lon, item.lat]).addTo(this.map);
        markers.set(id, entry);
      }
      const sidc = sidcOf(item);
      if (sidc !== entry.sidc) {
        const drawn = symbol(sidc, SYMBOL_PX);
        entry.element.innerHTML = drawn.svg;
        entry.marker.setOffset(drawn.offset);
        entry.sidc = sidc;
      }
      entry.element.title = `${item.cs || item.kind || ""} ${id}`.trim();
      entry.element.classList.toggle("selected", dataKey === "trackId" && id === this.selected);
      entry.element.classList.toggle("tentative", item.st === "tentative");
      entry.marker.setLngLat([item.lon, item.lat]);
    }
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
    for (const [key, entry] of this.trackMarkers) entry.element.classList.toggle("selected", key === id);
  }
}
