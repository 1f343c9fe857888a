/* urbanfit map.html, the tools panel's finding tools: a street search that shows every way of
   the chosen street, and totals for a box dragged on the map (by mouse or finger), mapped and
   estimated curb apart. OSM text reaches the page only through textContent. */

/* Add the search and the area totals to the tools `panel`; `kit` is what they read from the
   page (see urbanfitTools). Returns {refresh}: redraw the totals after a change of share. */
function urbanfitFind(map, panel, kit) {
  "use strict";
  var element = urbanfitElement, leaves = urbanfitLeaves, centre = urbanfitCentre;
  var labels = kit.labels;

  /* -- street search -- */
  var named = null;
  function streetIndex() {
    if (!named) {
      named = {};
      kit.streetWays().forEach(function (layer) {
        var name = urbanfitPlain(layer.feature.properties.name || "");
        if (!name || name === "(unnamed)") { return; }
        (named[name] = named[name] || []).push(layer);
      });
    }
    return named;
  }
  var highlight = null;
  var found = null;
  function showStreet(name) {
    var ways = streetIndex()[name] || [];
    if (!ways.length) { return; }
    var bounds = L.latLngBounds([]);
    ways.forEach(function (layer) { bounds.extend(layer.getBounds()); });
    if (highlight) { map.removeLayer(highlight); }
    highlight = L.featureGroup(ways.map(function (layer) {
      return L.polyline(layer.getLatLngs(),
        {color: "#000000", weight: 10, opacity: 0.45, interactive: false});
    })).addTo(map);
    map.fitBounds(bounds, {padding: [30, 30], maxZoom: 18});
    found.textContent = "Showing " + name + " (" + ways.length +
      (ways.length === 1 ? " mapped way)" : " mapped ways)");
  }
  if (kit.streets) {
    var search = element("div", panel);
    search.className = "urbanfit-search";
    var input = element("input", search);
    input.type = "search";
    input.id = "urbanfit-search";
    input.placeholder = "Find a street";
    input.setAttribute("aria-label", "Find a street by name");
    input.autocomplete = "off";
    var matches = element("div", search);
    matches.id = "urbanfit-search-results";
    found = element("div", search);
    found.id = "urbanfit-search-status";
    found.setAttribute("role", "status");
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      matches.replaceChildren();
      if (!query) { return; }
      var names = Object.keys(streetIndex()).filter(function (name) {
        return name.toLowerCase().indexOf(query) !== -1;
      });
      names.sort(function (a, b) {
        var sa = a.toLowerCase().indexOf(query) === 0 ? 0 : 1;
        var sb = b.toLowerCase().indexOf(query) === 0 ? 0 : 1;
        return sa - sb || a.localeCompare(b);
      });
      names.slice(0, 8).forEach(function (name) {
        var button = element("button", matches, name);
        button.type = "button";
        button.addEventListener("click", function () {
          matches.replaceChildren();
          input.value = name;
          showStreet(name);
        });
      });
      if (!names.length) { element("div", matches, "No street of that name on this map"); }
    });
  }

  /* -- totals for a dragged box -- */
  var area = null, box = null, totals = null;
  function metres(latlngs) {
    if (!latlngs.length) { return 0; }
    if (!(latlngs[0] instanceof L.LatLng)) {
      return latlngs.reduce(function (sum, part) { return sum + metres(part); }, 0);
    }
    var total = 0;
    for (var i = 1; i < latlngs.length; i += 1) { total += map.distance(latlngs[i - 1], latlngs[i]); }
    return total;
  }
  function inside(layer) { return area.contains(centre(layer)); }
  function showTotals() {
    var lines = ["Sums over the features whose centre lies in the box:"];
    var ways = kit.streetWays().filter(inside);
    var km = ways.reduce(function (sum, l) { return sum + metres(l.getLatLngs()); }, 0) / 1000;
    lines.push("Streets: " + ways.length + " mapped ways, " + km.toFixed(2) +
      " km (measured along the map's lines)");
    var shares = "(full-size fleet → " + labels[kit.chosen()] + ")";
    if (kit.curb) {
      var runs = {}, hexagons = 0;
      var sums = {mapped: [0, 0, 0], estimated: [0, 0, 0]};  // stretches, today, shown
      leaves(kit.curb).filter(inside).forEach(function (layer) {
        var run = layer.feature.properties._r;
        if (run === undefined || run === null) { hexagons += 1; return; }  // a metro-scale map
        if (run in runs) { return; }  // a stretch drawn as several lines counts once
        runs[run] = true;
        var figures = urbanfitFigures(layer.feature);
        var sum = sums[layer.feature.properties._d ? "estimated" : "mapped"];
        sum[0] += 1;
        sum[1] += (figures[0] || [])[0] || 0;
        sum[2] += (figures[kit.chosen()] || [])[0] || 0;
      });
      if (hexagons) {
        lines.push("Curb parking: drawn by hexagon on this map (too many sides to draw), so " +
          "not summed here; every side is in layers.gpkg");
      } else {
        lines.push("Curb parking, mapped: " + sums.mapped[0] + " stretches, " + sums.mapped[1] +
          " → " + sums.mapped[2] + " spaces " + shares);
        var hidden = kit.hidden() ? " (hidden: mapped curbs only)" : "";
        lines.push("Curb parking, estimated: " + sums.estimated[0] + " stretches, " +
          sums.estimated[1] + " → " + sums.estimated[2] + " spaces" + hidden);
      }
    }
    if (kit.lots) {
      var counted = 0, unknown = 0, lotBefore = 0, lotAfter = 0;
      leaves(kit.lots).filter(inside).forEach(function (layer) {
        var figures = urbanfitFigures(layer.feature);
        var b = (figures[0] || [])[0], a = (figures[kit.chosen()] || [])[0];
        if (b === null || b === undefined || a === null || a === undefined) {
          unknown += 1;
          return;
        }
        counted += 1;
        lotBefore += b;
        lotAfter += a;
      });
      lines.push("Parking lots: " + counted + " lots, " + lotBefore + " → " + lotAfter +
        " spaces " + shares + (unknown ? ", and " + unknown + " of unknown size" : ""));
    }
    totals.replaceChildren();
    lines.forEach(function (line) { element("div", totals, line); });
  }
  var select = element("button", panel, "Select an area");
  select.type = "button";
  select.id = "urbanfit-select-area";
  totals = element("div", panel);
  totals.id = "urbanfit-area-totals";
  totals.setAttribute("role", "status");
  var container = map.getContainer();
  var start = null;
  function point(event) { return map.mouseEventToLatLng(event); }
  function onDown(event) {
    if (event.target.closest && event.target.closest(".leaflet-control")) { return; }
    start = point(event);
    if (box) { map.removeLayer(box); }
    box = L.rectangle(L.latLngBounds(start, start),
      {color: "#000000", weight: 2, dashArray: "6 4", fillOpacity: 0.05, interactive: false})
      .addTo(map);
    L.DomEvent.stop(event);
  }
  var last = null;
  function onMove(event) {
    if (start) {
      last = point(event);
      box.setBounds(L.latLngBounds(start, last));
    }
  }
  function swallowClick(event) {
    L.DomEvent.stop(event);
    container.removeEventListener("click", swallowClick, true);
  }
  function onUp(event) {
    if (!start) { return; }
    /* a touch the browser takes over ends in pointercancel, at the last point it moved to */
    var end = event.type === "pointercancel" ? (last || start) : point(event);
    area = L.latLngBounds(start, end);
    last = null;
    box.setBounds(area);
    start = null;
    container.removeEventListener("pointerdown", onDown, true);
    container.removeEventListener("pointermove", onMove, true);
    container.removeEventListener("pointerup", onUp, true);
    container.removeEventListener("pointercancel", onUp, true);
    container.style.touchAction = "";
    container.addEventListener("click", swallowClick, true);  // no popup from the drag's end
    container.classList.remove("urbanfit-selecting");
    map.dragging.enable();
    select.textContent = "Select an area";
    showTotals();
  }
  select.addEventListener("click", function () {
    map.dragging.disable();
    container.classList.add("urbanfit-selecting");
    container.addEventListener("pointerdown", onDown, true);
    container.addEventListener("pointermove", onMove, true);
    container.addEventListener("pointerup", onUp, true);
    container.addEventListener("pointercancel", onUp, true);
    container.style.touchAction = "none";  // a finger draws the box instead of panning
    select.textContent = "Drag a box on the map…";
    totals.replaceChildren();
  });

  return {refresh: function () { if (area) { showTotals(); } }};
}
