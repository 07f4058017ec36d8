// HTML symbols over the map canvas: one element per track or own aircraft, placed with
// map.project on every frame that moves it and on every move of the map. (MapLibre's Marker
// does more work per call than hundreds of moving tracks a few times a second can afford.)

export class HtmlSymbols {
  /**
   * Symbols on `map`, each element carrying `data-<dataKey>` (e.g. "trackId" gives
   * data-track-id); `onClick(id)` is called when one is clicked (none: not clickable).
   */
  constructor(map, dataKey, onClick) {
    this.map = map;
    this.dataKey = dataKey;
    this.entries = new Map(); // id -> {element, sidc, anchor: [x, y] px, item}
    this.layer = document.createElement("div");
    this.layer.className = "symbol-layer";
    map.getCanvasContainer().appendChild(this.layer);
    map.on("move", () => {
      for (const entry of this.entries.values()) this.place(entry);
    });
    if (onClick) {
      this.layer.addEventListener("click", (event) => {
        const element = event.target.closest(".track-symbol");
        if (element) {
          event.stopPropagation();
          onClick(Number(element.dataset[dataKey]));
        }
      });
    }
  }

  /**
   * Show `items` (id -> {lon, lat, ...}): `drawn(item)` gives {sidc, svg, anchor} of an item's
   * symbol, `decorate(element, item)` sets its title and classes when the item changed.
   */
  update(items, drawn, decorate) {
    for (const [id, entry] of this.entries) {
      if (!items.has(id)) {
        entry.element.remove();
        this.entries.delete(id);
      }
    }
    for (const [id, item] of items) {
      let entry = this.entries.get(id);
      if (!entry) {
        const element = document.createElement("div");
        element.className = "track-symbol";
        element.dataset[this.dataKey] = String(id);
        this.layer.appendChild(element);
        entry = { element, sidc: "", anchor: [0, 0], item: null };
        this.entries.set(id, entry);
      }
      if (item === entry.item) continue; // the picture keeps the objects of unchanged items
      const symbol = drawn(item);
      if (symbol.sidc !== entry.sidc) {
        entry.element.innerHTML = symbol.svg;
        entry.sidc = symbol.sidc;
        entry.anchor = symbol.anchor;
      }
      decorate(entry.element, item);
      const moved = !entry.item || item.lon !== entry.item.lon || item.lat !== entry.item.lat;
      entry.item = item;
      if (moved) this.place(entry);
    }
  }

  place(entry) {
    const point = this.map.project([entry.item.lon, entry.item.lat]);
    const x = point.x - entry.anchor[0];
    const y = point.y - entry.anchor[1];
    entry.element.style.transform = `translate(${x.toFixed(1)}px, ${y.toFixed(1)}px)`;
  }

  /** Mark the element of `id` (none: null) with `className`, and only it. */
  mark(id, className) {
    for (const [key, entry] of this.entries) entry.element.classList.toggle(className, key === id);
  }
}
