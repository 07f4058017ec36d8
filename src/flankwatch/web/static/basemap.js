// The map's style, built here from /api/basemap GeoJSON: no tile server, no glyphs, no sprites,
// so nothing is fetched from off the machine. Airport names are HTML labels (see labels()).

const EMPTY = { type: "FeatureCollection", features: [] };

/** The dynamic sources drawn over the base map, each a GeoJSON FeatureCollection. */
export const OVERLAYS = ["trails", "leaders", "paths", "shots"];

const IDENTITY_COLOUR = [
  "match", ["get", "idn"],
  "hostile", "#ff5050",
  "suspect", "#ff9a9a",
  "friend", "#4fb3ff",
  "assumed-friend", "#4fb3ff",
  "neutral", "#7fd67f",
  "#f3e37c",
];

/** A MapLibre style for the base map layers of `basemap` (the /api/basemap answer). */
export function buildStyle(basemap) {
  const sources = {};
  for (const name of ["countries", "border", "admin", "airports", "assets", "no_engagement", "sensors"]) {
    sources[name] = { type: "geojson", data: basemap[name] || EMPTY };
  }
  for (const name of OVERLAYS) sources[name] = { type: "geojson", data: EMPTY };
  const layers = [
    { id: "sea", type: "background", paint: { "background-color": "#0e1a26" } },
    {
      id: "countries", type: "fill", source: "countries",
      paint: { "fill-color": ["case", ["==", ["get", "watched"], true], "#363d47", "#252a30"] },
    },
    { id: "country-lines", type: "line", source: "countries", paint: { "line-color": "#56606c", "line-width": 0.8 } },
    {
      id: "admin", type: "line", source: "admin",
      paint: { "line-color": "#4a5563", "line-width": 0.6, "line-dasharray": [3, 2] },
    },
    {
      id: "coverage", type: "fill", source: "sensors", filter: ["==", ["get", "coverage"], true],
      paint: { "fill-color": "#3fa36b", "fill-opacity": 0.025 },
    },
    {
      id: "coverage-lines", type: "line", source: "sensors", filter: ["==", ["get", "coverage"], true],
      paint: { "line-color": "#3fa36b", "line-width": 0.6, "line-opacity": 0.35 },
    },
    {
      id: "no-engagement", type: "fill", source: "no_engagement",
      paint: { "fill-color": "#d0453a", "fill-opacity": 0.18, "fill-antialias": false },
    },
    { id: "border", type: "line", source: "border", paint: { "line-color": "#ffb000", "line-width": 2.5 } },
    {
      id: "sensors", type: "circle", source: "sensors", filter: ["!=", ["get", "coverage"], true],
      paint: { "circle-radius": 3, "circle-color": "#3fa36b", "circle-stroke-color": "#0e1a26", "circle-stroke-width": 1 },
    },
    {
      id: "assets", type: "circle", source: "assets",
      paint: { "circle-radius": 4, "circle-color": "#4fb3ff", "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 },
    },
    {
      id: "airports", type: "circle", source: "airports",
      paint: {
        "circle-radius": 5,
        "circle-color": ["case", ["==", ["get", "closed"], true], "#ff5050", "#7fd67f"],
        "circle-stroke-color": "#0e1a26", "circle-stroke-width": 1.5,
      },
    },
    {
      id: "trails", type: "line", source: "trails",
      paint: { "line-color": IDENTITY_COLOUR, "line-width": 1.2, "line-opacity": 0.6 },
    },
    {
      id: "paths", type: "line", source: "paths",
      paint: { "line-color": IDENTITY_COLOUR, "line-width": 1, "line-dasharray": [2, 2], "line-opacity": 0.8 },
    },
    { id: "leaders", type: "line", source: "leaders", paint: { "line-color": IDENTITY_COLOUR, "line-width": 1.5 } },
    {
      id: "shots", type: "line", source: "shots",
      paint: {
        "line-color": ["match", ["get", "outcome"], "kill", "#ffffff", "miss", "#8a94a3", "#ffb000"],
        "line-width": 1.5, "line-dasharray": [1, 1],
      },
    },
  ];
  return { version: 8, sources, layers };
}

/** HTML labels (ICAO code) for the airports of `airports`, added to `map`; returns the markers. */
export function labels(map, airports) {
  return (airports.features || []).map((feature) => {
    const element = document.createElement("div");
    element.className = "map-label";
    element.textContent = feature.properties.icao || feature.properties.name || "";
    return new maplibregl.Marker({ element, anchor: "left", offset: [7, 0] })
      .setLngLat(feature.geometry.coordinates)
      .addTo(map);
  });
}

/** The [[west, south], [east, north]] box of `metadata.bounds`, or null. */
export function bounds(metadata) {
  const b = metadata.bounds;
  return b && b.length === 4 ? [[b[0], b[1]], [b[2], b[3]]] : null;
}
