/* urbanfit map.html: title and legend as Leaflet controls, a legend of the visible layers,
   a collapsed title and layer list on a phone, a notice when base-map tiles cannot load,
   and a tools panel: the kei-share switch, a street search, totals for a dragged box and a
   download of the visible layers. OSM text reaches the page only through textContent. */

var urbanfitScenarioLayers = [];

/* folium declares its layer control with `let`, out of reach of the page: note it here. */
var urbanfitLayerControls = [];
L.Control.Layers.addInitHook(function () { "use strict"; urbanfitLayerControls.push(this); });

/* A GeoJSON layer whose features carry `_s`, their figures in every scenario (see
   map_base.scenario_values); the switch rewrites its shown properties and colours. */
function urbanfitScenarioLayer(geo, spec) {
  "use strict";
  urbanfitScenarioLayers.push({geo: geo, spec: spec});
  geo.urbanfitRows = spec.rows;  // the tooltip and popup tables end with these
}

/* Feature properties hold OSM text HTML-escaped (it is written into the page's script); the
   inverse, for text set with textContent and for downloads. "&amp;" last, as it was first. */
function urbanfitPlain(value) {
  "use strict";
  return String(value).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'").replace(/&amp;/g, "&");
}

/* Tooltip and popup tables of a GeoJSON layer, as text: spec.tooltip and spec.popup are
   [property, label] rows. Bound to the layer, so features added later have them too. */
function urbanfitDetails(geo, spec) {
  "use strict";
  function table(rows) {
    return function (layer) {
      var box = document.createElement("div");
      var grid = document.createElement("table");
      rows.concat(geo.urbanfitRows || []).forEach(function (row) {
        var value = layer.feature.properties[row[0]];
        var line = grid.insertRow();
        var head = document.createElement("th");
        head.textContent = row[1];
        line.appendChild(head);
        var cell = document.createElement("td");
        cell.textContent = value === null || value === undefined ? "" :
          typeof value === "number" ? value.toLocaleString() : urbanfitPlain(value);
        line.appendChild(cell);
      });
      box.appendChild(grid);
      return box;
    };
  }
  if (spec.tooltip.length) {
    geo.bindTooltip(table(spec.tooltip), {sticky: true, className: "urbanfit-details"});
  }
  if (spec.popup.length) { geo.bindPopup(table(spec.popup), {className: "urbanfit-details"}); }
}

/* A feature's figures: one array per scenario (baseline first), null where missing. */
function urbanfitFigures(feature) {
  "use strict";
  if (!feature._urbanfitFigures) {
    feature._urbanfitFigures = String(feature.properties._s || "").split(";").map(
      function (block) {
        return block.split(",").map(function (t) { return t === "" ? null : Number(t); });
      });
  }
  return feature._urbanfitFigures;
}

function urbanfitPage(map, tiles, options) {
  "use strict";
  var narrow = window.matchMedia("(max-width: 600px)").matches;

  function panel(id, position) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    var control = L.control({position: position});
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(element);
      L.DomEvent.disableScrollPropagation(element);
      return element;
    };
    control.addTo(map);
    return element;
  }

  var title = panel("urbanfit-title", "topright");
  if (title && narrow) { title.open = false; }

  var legend = panel("urbanfit-legend", "bottomright");
  function showVisibleLayers() {
    if (!legend) { return; }
    var any = false;
    legend.querySelectorAll("[data-layer]").forEach(function (block) {
      var layer = window[block.getAttribute("data-layer")];
      var on = Boolean(layer) && map.hasLayer(layer);
      block.hidden = !on;
      any = any || on;
    });
    legend.hidden = !any;
    fitLegend();
  }
  /* the legend (bottom right) scrolls rather than cover the title and layer list above it */
  function fitLegend() {
    if (!legend || legend.hidden || narrow) { return; }  // on a phone the stylesheet caps it
    var box = map.getContainer().getBoundingClientRect();
    var above = box.top;
    map.getContainer().querySelectorAll(".leaflet-top.leaflet-right > *").forEach(function (c) {
      above = Math.max(above, c.getBoundingClientRect().bottom);
    });
    var below = box.bottom - legend.getBoundingClientRect().bottom;
    legend.style.maxHeight = Math.max(60, box.bottom - above - below - 10) + "px";
  }
  map.on("overlayadd overlayremove", showVisibleLayers);
  window.addEventListener("resize", fitLegend);
  if (title) { title.addEventListener("toggle", fitLegend); }
  showVisibleLayers();
  setTimeout(fitLegend, 0);  // once the layer list, added after this script, is on the page

  var noticed = false;
  tiles.on("tileerror", function () {
    if (noticed) { return; }
    noticed = true;
    var notice = L.control({position: "bottomleft"});
    notice.onAdd = function () {
      var element = L.DomUtil.create("div", "urbanfit-notice");
      element.id = "urbanfit-tile-notice";
      element.setAttribute("role", "status");
      element.textContent = "Base map tiles are unavailable (offline?): " +
        "the layers are drawn on a plain background.";
      return element;
    };
    notice.addTo(map);
  });

  urbanfitTools(map, options || {}, narrow);
}

function urbanfitTools(map, options, narrow) {
  "use strict";
  var labels = options.scenarios || [];
  var chosen = options.chosen || 0;
  var streets = options.streets, curb = options.curb, lots = options.lots;
  var localStreets = options.localStreets;
  /* every street way: a metro-scale map's local streets are a layer built when first needed */
  function streetWays() {
    if (localStreets && localStreets.urbanfitFill) { localStreets.urbanfitFill(); }
    return leaves(streets).concat(leaves(localStreets));
  }

  function element(tag, parent, text) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function text(value) { return value === null || value === undefined ? "unknown" : String(value); }
  function pair(before, after) {
    return before === null && after === null ? "unknown" : text(before) + " → " + text(after);
  }
  function leaves(layer) {
    var out = [];
    if (!layer) { return out; }
    (function walk(l) { if (l.eachLayer) { l.eachLayer(walk); } else { out.push(l); } })(layer);
    return out;
  }
  function layerControl() { return urbanfitLayerControls[urbanfitLayerControls.length - 1]; }

  var panel = element("details");
  panel.id = "urbanfit-tools";
  panel.className = "urbanfit-panel";
  panel.open = !narrow;
  element("summary", panel, "Kei share and tools");

  /* -- the kei-share switch -- */
  function binColour(value, colour) {
    var pick = 0;
    if (value !== null) {
      colour.bounds.forEach(function (bound, i) {
        if (bound === null || value >= bound) { pick = i; }
      });
    }
    return colour.colours[pick];
  }
  function relabel(from, to) {
    var scenarioGroups = function (group) {
      return Boolean(group) && urbanfitScenarioLayers.some(function (entry) {
        return group === entry.geo || (group.hasLayer && group.hasLayer(entry.geo));
      });
    };
    var control = layerControl();
    if (control) {
      control._layers.forEach(function (obj) {
        if (obj.overlay && scenarioGroups(obj.layer)) { obj.name = obj.name.split(from).join(to); }
      });
      control._update();
    }
    document.querySelectorAll("#urbanfit-legend [data-layer]").forEach(function (block) {
      var title = block.querySelector("b");
      if (title && scenarioGroups(window[block.getAttribute("data-layer")])) {
        title.textContent = title.textContent.split(from).join(to);
      }
    });
  }
  /* one feature's figures and colour at scenario k */
  function show(spec, layer, k) {
    var props = layer.feature.properties;
    var figures = urbanfitFigures(layer.feature);
    var now = figures[k] || [], base = figures[0] || [];
    props.scenario = labels[k];
    Object.keys(spec.shown).forEach(function (key) {
      var how = spec.shown[key];
      props[key] = how[0] === "pair" ? pair(base[how[1]], now[how[1]]) : text(now[how[1]]);
    });
    if (spec.colour) { props._c = binColour(now[spec.colour.index], spec.colour); }
  }
  function choose(k, opening) {
    if (k === chosen && !opening) { return; }
    urbanfitScenarioLayers.forEach(function (entry) {
      entry.geo.eachLayer(function (layer) { show(entry.spec, layer, k); });
      if (entry.spec.colour) { entry.geo.resetStyle(); }
    });
    if (!opening) { relabel(labels[chosen], labels[k]); }
    chosen = k;
    if (area) { showTotals(); }
  }
  choose(chosen, true);  // the features carry every scenario's figures, none shown yet
  urbanfitScenarioLayers.forEach(function (entry) {
    // a large layer built when first shown (map_base._Packed) gets the chosen scenario too
    entry.geo.on("layeradd", function (event) {
      if (!event.layer.feature) { return; }
      show(entry.spec, event.layer, chosen);
      if (entry.spec.colour) { entry.geo.resetStyle(event.layer); }
    });
  });
  if (labels.length > 1 && urbanfitScenarioLayers.length) {
    var switcher = element("fieldset", panel);
    switcher.id = "urbanfit-scenarios";
    element("legend", switcher, "Kei share of the fleet");
    labels.forEach(function (label, k) {
      var row = element("label", switcher);
      var radio = element("input", row);
      radio.type = "radio";
      radio.name = "urbanfit-scenario";
      radio.value = String(k);
      radio.checked = k === chosen;
      radio.addEventListener("change", function () { if (radio.checked) { choose(k); } });
      element("span", row, "kei share " + label.replace(/ kei$/, ""));
    });
  }

  /* -- street search -- */
  var named = null;
  function streetIndex() {
    if (!named) {
      named = {};
      streetWays().forEach(function (layer) {
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
  if (streets) {
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
  function centre(layer) {
    return layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
  }
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
    var ways = streetWays().filter(inside);
    var km = ways.reduce(function (sum, l) { return sum + metres(l.getLatLngs()); }, 0) / 1000;
    lines.push("Streets: " + ways.length + " mapped ways, " + km.toFixed(2) +
      " km (measured along the map's lines)");
    var shares = "(full-size fleet → " + labels[chosen] + ")";
    if (curb) {
      var runs = {}, before = 0, after = 0, hexagons = 0;
      leaves(curb).filter(inside).forEach(function (layer) {
        var run = layer.feature.properties._r;
        if (run === undefined || run === null) { hexagons += 1; return; }  // a metro-scale map
        if (run in runs) { return; }  // a run drawn as several lines counts once
        runs[run] = true;
        var figures = urbanfitFigures(layer.feature);
        before += (figures[0] || [])[0] || 0;
        after += (figures[chosen] || [])[0] || 0;
      });
      if (hexagons) {
        lines.push("Curb parking: drawn by hexagon on this map (too many sides to draw), so " +
          "not summed here; every side is in layers.gpkg");
      } else {
        lines.push("Curb parking: " + Object.keys(runs).length + " runs, " + before + " → " +
          after + " spaces " + shares);
      }
    }
    if (lots) {
      var counted = 0, unknown = 0, lotBefore = 0, lotAfter = 0;
      leaves(lots).filter(inside).forEach(function (layer) {
        var figures = urbanfitFigures(layer.feature);
        var b = (figures[0] || [])[0], a = (figures[chosen] || [])[0];
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
  function onMove(event) {
    if (start) { box.setBounds(L.latLngBounds(start, point(event))); }
  }
  function swallowClick(event) {
    L.DomEvent.stop(event);
    container.removeEventListener("click", swallowClick, true);
  }
  function onUp(event) {
    if (!start) { return; }
    area = L.latLngBounds(start, point(event));
    box.setBounds(area);
    start = null;
    container.removeEventListener("pointerdown", onDown, true);
    container.removeEventListener("pointermove", onMove, true);
    container.removeEventListener("pointerup", onUp, true);
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
    select.textContent = "Drag a box on the map…";
    totals.replaceChildren();
  });

  /* -- download of the visible layers -- */
  function visibleFeatures() {
    var control = layerControl();
    var out = [];
    (control ? control._layers : []).forEach(function (obj) {
      if (!obj.overlay || !map.hasLayer(obj.layer)) { return; }
      var name = urbanfitPlain(obj.name.replace(/<[^>]*>/g, "").trim());
      leaves(obj.layer).forEach(function (layer) {
        if (!layer.feature) { return; }
        var properties = {layer: name};
        Object.keys(layer.feature.properties).forEach(function (key) {
          var value = layer.feature.properties[key];
          if (key.charAt(0) === "_") { return; }
          properties[key] = typeof value === "string" ? urbanfitPlain(value) : value;
        });
        out.push({
          feature: {type: "Feature", properties: properties, geometry: layer.toGeoJSON().geometry},
          centre: centre(layer),
        });
      });
    });
    return out;
  }
  function save(content, type, suffix) {
    var link = element("a", document.body);
    link.href = URL.createObjectURL(new Blob([content], {type: type}));
    link.download = (options.file || "urbanfit") + "-layers." + suffix;
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }
  function csvCell(value) {
    var cell = value === null || value === undefined ? "" : String(value);
    // a spreadsheet runs a cell that starts like a formula: OSM text is not trusted
    if (/^[=+\-@\t\r]/.test(cell) && isNaN(Number(cell))) { cell = "'" + cell; }
    return /[",\r\n]/.test(cell) ? '"' + cell.replace(/"/g, '""') + '"' : cell;
  }
  var downloads = element("div", panel);
  downloads.className = "urbanfit-downloads";
  element("span", downloads, "Download the layers that are on: ");
  var geojson = element("button", downloads, "GeoJSON");
  geojson.type = "button";
  geojson.id = "urbanfit-download-geojson";
  geojson.addEventListener("click", function () {
    var features = visibleFeatures().map(function (f) { return f.feature; });
    var collection = {type: "FeatureCollection", features: features};
    save(JSON.stringify(collection), "application/geo+json", "geojson");
  });
  var csv = element("button", downloads, "CSV");
  csv.type = "button";
  csv.id = "urbanfit-download-csv";
  csv.addEventListener("click", function () {
    var features = visibleFeatures();
    var columns = [];
    features.forEach(function (f) {
      Object.keys(f.feature.properties).forEach(function (key) {
        if (columns.indexOf(key) === -1) { columns.push(key); }
      });
    });
    var rows = [columns.concat(["centre_lat", "centre_lon"]).map(csvCell).join(",")];
    features.forEach(function (f) {
      var cells = columns.map(function (key) { return csvCell(f.feature.properties[key]); });
      rows.push(cells.concat([f.centre.lat.toFixed(5), f.centre.lng.toFixed(5)]).join(","));
    });
    save(rows.join("\r\n") + "\r\n", "text/csv", "csv");
  });

  var control = L.control({position: "topleft"});
  control.onAdd = function () {
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    return panel;
  };
  control.addTo(map);
}
