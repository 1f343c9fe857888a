/* urbanfit map.html: title and legend as Leaflet controls, a legend of the visible layers,
   a collapsed title and layer list on a phone, a notice when base-map tiles cannot load,
   and a tools panel: the kei-share switch, a street search, totals for a dragged box and a
   download of the visible layers. OSM text reaches the page only through textContent. */

var urbanfitScenarioLayers = [];
var urbanfitOnChoose = [];  // called with the chosen scenario's index after every switch
var urbanfitChosenIndex = null;
var urbanfitComparing = false;  // the before/after swipe is on: today's legend shows too
var urbanfitChooseScenario = null;  // choose(k) of the share switch, for years.js
function urbanfitChosen() { "use strict"; return urbanfitChosenIndex; }

/* folium declares its layer control with `let`, out of reach of the page: note it here. Each
   time the control redraws its list, `urbanfitArrange` (set by the tools) lays it out again. */
var urbanfitLayerControls = [];
var urbanfitArrange = null;
L.Control.Layers.addInitHook(function () {
  "use strict";
  var control = this;
  var update = control._update;
  control._update = function () {
    var out = update.apply(control, arguments);
    if (urbanfitArrange && control._overlaysList) { urbanfitArrange(control); }
    return out;
  };
  urbanfitLayerControls.push(control);
});

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
  geo.urbanfitSpec = spec;  // the download names its columns with these labels
  /* on a touch screen (no hover) the details open on a tap, in a popup that stays inside the
     screen and closes on the next tap; with a mouse, a tooltip follows the pointer */
  var touch = window.matchMedia("(hover: none)").matches ||
    window.matchMedia("(max-width: 600px)").matches;
  /* the popup's frame adds ~50 px to its content: the whole stays within 320 px */
  var width = Math.min(320, window.innerWidth - 40) - 50;
  if (touch) {
    var rows = spec.popup.length ? spec.popup : spec.tooltip;
    if (rows.length) {
      geo.bindPopup(table(rows), {className: "urbanfit-details", maxWidth: width,
        minWidth: Math.min(200, width), autoPanPadding: [10, 10]});
    }
    return;
  }
  if (spec.tooltip.length) {
    geo.bindTooltip(table(spec.tooltip), {sticky: true, className: "urbanfit-details"});
  }
  if (spec.popup.length) {
    geo.bindPopup(table(spec.popup), {className: "urbanfit-details", maxWidth: width});
  }
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
  urbanfitChosenIndex = (options || {}).chosen || 0;

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
  if (legend && narrow) { legend.open = false; }
  function showVisibleLayers() {
    if (!legend) { return; }
    var any = false;
    var share = String(urbanfitChosen());
    legend.querySelectorAll("[data-layer]").forEach(function (block) {
      var layer = window[block.getAttribute("data-layer")];
      var shares = block.getAttribute("data-scenarios");
      var among = shares === null ? [share] : shares.split(" ");
      var on = Boolean(layer) && map.hasLayer(layer) && (among.indexOf(share) !== -1 ||
        (urbanfitComparing && among.indexOf("0") !== -1));
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
  map.on("overlayadd overlayremove urbanfitcompare", showVisibleLayers);
  urbanfitOnChoose.push(showVisibleLayers);
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
    urbanfitOrientation(map, options || {});
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
  element("summary", panel, "Tools");

  /* -- the kei-share switch -- */
  function binColour(value, colours, k) {
    var colour = colours[Math.min(k, colours.length - 1)];
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
      if (block.hasAttribute("data-scenarios")) { return; }  // a block of one share: kept
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
      // at the baseline a pair is one figure, today's: "16", not "16 → 16"
      props[key] = how[0] === "pair" && k > 0 ? pair(base[how[1]], now[how[1]]) :
        text(now[how[1]]);
    });
    if (spec.colour) { props._c = colourAt(spec, layer.feature, k); }
  }
  function colourAt(spec, feature, k) {
    var rule = spec.colour[Math.min(k, spec.colour.length - 1)];
    return binColour((urbanfitFigures(feature)[k] || [])[rule.index], spec.colour, k);
  }
  function choose(k, opening) {
    if (k === chosen && !opening) { return; }
    urbanfitScenarioLayers.forEach(function (entry) {
      entry.geo.eachLayer(function (layer) { show(entry.spec, layer, k); });
      if (entry.spec.colour) { entry.geo.resetStyle(); }
    });
    if (!opening) { relabel(labels[chosen], labels[k]); }
    chosen = k;
    urbanfitChosenIndex = k;
    document.querySelectorAll("#urbanfit-title [data-scenarios]").forEach(function (block) {
      block.hidden = block.getAttribute("data-scenarios").split(" ").indexOf(String(k)) === -1;
    });
    urbanfitOnChoose.forEach(function (callback) { callback(k); });
    if (area) { showTotals(); }
  }
  choose(chosen, true);  // the features carry every scenario's figures, none shown yet
  urbanfitChooseScenario = choose;
  urbanfitScenarioLayers.forEach(function (entry) {
    // a large layer built when first shown (map_base._Packed) gets the chosen scenario too
    entry.geo.on("layeradd", function (event) {
      if (!event.layer.feature) { return; }
      show(entry.spec, event.layer, chosen);
      if (entry.spec.colour) { entry.geo.resetStyle(event.layer); }
    });
  });
  var switcher = null;
  if (labels.length > 1 && urbanfitScenarioLayers.length) {
    switcher = element("fieldset");  // placed in the layer control (see arrange)
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
    var compareRow = element("label");  // under the share, in the control (see arrange)
    compareRow.id = "urbanfit-swipe-row";
    var compare = element("input", compareRow);
    compare.type = "checkbox";
    compare.id = "urbanfit-swipe";
    element("span", compareRow, " Compare with today (swipe)");
    compareRow.title = "Today (0 % kei) left of a line you drag, the chosen share right of it";
    compare.addEventListener("change", function () { comparing(compare.checked); });
  }

  /* -- before/after: today (0 %) left of a divider, the chosen share right of it -- */
  var swipe = urbanfitSwipe(map, {
    labels: labels,
    chosen: function () { return chosen; },
    colourAt: colourAt,
    leaves: leaves,
    layer: function () {  // the coloured layer on: the curb first
      var on = urbanfitScenarioLayers.filter(function (entry) {
        return entry.spec.colour && map.hasLayer(entry.geo);
      });
      on.sort(function (a, b) { return (b.geo === curb) - (a.geo === curb); });
      return on[0] || null;
    },
  });
  function comparing(on) {
    var box = document.getElementById("urbanfit-swipe");
    var shown = on ? swipe.on() : (swipe.off(), false);
    if (box) { box.checked = shown; }
    urbanfitComparing = shown;
    map.fire("urbanfitcompare");
    writeHash();
  }
  function compared() {  // after a change of share, layer or filter
    if (!swipe.isOn()) { return; }
    swipe.refresh();
    if (!swipe.isOn()) { comparing(false); }
  }
  urbanfitOnChoose.push(compared);

  /* -- one control for what the map shows: the base layers, then the thematic layers as one
     radio list (one at a time over the street base, or none), then the kei share -- */
  var thematic = (options.thematic || []).filter(Boolean);
  var noneRow = null;
  var onlyRow = null;  // "mapped curbs only", under the layers (see below)
  function arrange(control) {
    var group = null;
    control._layerControlInputs.forEach(function (input) {
      var obj = control._getLayer(input.layerId);
      if (!obj || !obj.overlay || thematic.indexOf(obj.layer) === -1) { return; }
      input.type = "radio";
      input.name = "urbanfit-layer";
      if (!group) {
        group = element("div");
        group.className = "urbanfit-thematic";
        element("div", group, "Colour the map by (one at a time):").className =
          "urbanfit-control-heading";
      }
      group.appendChild(input.closest("label"));
    });
    if (group) {
      control._overlaysList.appendChild(group);
      if (!noneRow) {
        noneRow = element("label");
        noneRow.id = "urbanfit-layer-none";
        var holder = element("span", noneRow);
        var none = element("input", holder);
        none.type = "radio";
        none.name = "urbanfit-layer";
        none.className = "leaflet-control-layers-selector";
        element("span", holder, " None (streets only)");
        none.addEventListener("change", function () {
          if (!none.checked) { return; }
          thematic.forEach(function (layer) {
            if (map.hasLayer(layer)) { map.removeLayer(layer); }
          });
        });
      }
      noneRow.querySelector("input").checked = !thematic.some(function (layer) {
        return map.hasLayer(layer);
      });
      control._section.appendChild(noneRow);
    }
    if (onlyRow) { control._section.appendChild(onlyRow); }
    if (switcher) {
      control._section.appendChild(switcher);
      control._section.appendChild(compareRow);
    }
  }
  urbanfitArrange = arrange;
  map.on("overlayadd", function (event) {
    if (thematic.indexOf(event.layer) === -1) { return; }
    /* after the layer control's click is handled: it re-adds every ticked layer first */
    setTimeout(function () {
      if (!map.hasLayer(event.layer)) { return; }
      thematic.forEach(function (other) {
        if (other !== event.layer && map.hasLayer(other)) { map.removeLayer(other); }
      });
      writeHash();
      compared();
    }, 0);
  });
  map.on("overlayremove", function () {
    writeHash();
    setTimeout(compared, 0);
  });

  /* -- mapped curbs only: estimated stretches (`_d`) leave the layer, and the totals -- */
  var estimated = [];
  if (curb && leaves(curb).some(function (l) { return l.feature && l.feature.properties._d; })) {
    onlyRow = element("label");  // placed in the layer control (see arrange)
    onlyRow.id = "urbanfit-mapped-only-row";
    var only = element("input", onlyRow);
    only.type = "checkbox";
    only.id = "urbanfit-mapped-only";
    element("span", onlyRow, " Mapped curbs only (hide estimated, dashed)");
    only.addEventListener("change", function () { mappedOnly(only.checked); });
  }
  function mappedOnly(on) {
    if (!curb) { return; }
    if (on && !estimated.length) {
      estimated = leaves(curb).filter(function (layer) {
        return layer.feature && layer.feature.properties._d;
      });
      estimated.forEach(function (layer) { curb.removeLayer(layer); });
    } else if (!on) {
      estimated.forEach(function (layer) { curb.addLayer(layer); });
      estimated = [];
    }
    if (area) { showTotals(); }
    compared();
    writeHash();
  }

  /* -- the view in the page's address: #share=…&layer=…&map=zoom/lat/lng(&mapped=1&swipe=1) -- */
  function thematicName(layer) {
    var control = layerControl();
    var found = null;
    (control ? control._layers : []).forEach(function (obj) {
      if (obj.layer === layer) { found = urbanfitPlain(obj.name.replace(/<[^>]*>/g, "").trim()); }
    });
    return found;
  }
  function layerKey(layer) {
    var name = thematicName(layer) || "";
    return name.split(":")[0].split(" (")[0].split(" at ")[0].toLowerCase()
      .replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
  }
  function shareKey(label) { return label.replace(/[^0-9.]/g, ""); }  // "25 % kei" -> "25"
  var hashReady = false;
  function writeHash() {
    if (!hashReady) { return; }
    var on = thematic.filter(function (layer) { return map.hasLayer(layer); });
    var c = map.getCenter();
    var parts = [
      "share=" + (labels.length ? shareKey(labels[chosen]) : ""),
      "layer=" + (on.length ? layerKey(on[0]) : "none"),
      "map=" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5),
    ];
    var onlyBox = document.getElementById("urbanfit-mapped-only");
    if (onlyBox && onlyBox.checked) { parts.push("mapped=1"); }
    if (swipe.isOn()) { parts.push("swipe=1"); }
    history.replaceState(null, "", "#" + parts.join("&"));
  }
  function readHash() {
    var wanted = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv.length === 2) { wanted[kv[0]] = decodeURIComponent(kv[1]); }
    });
    if (wanted.share) {
      labels.forEach(function (label, k) {
        if (shareKey(label) === wanted.share) {
          choose(k);
          var radio = document.querySelector("#urbanfit-scenarios input[value='" + k + "']");
          if (radio) { radio.checked = true; }
        }
      });
    }
    if (wanted.layer) {
      thematic.forEach(function (layer) {
        var want = layerKey(layer) === wanted.layer;
        if (want && !map.hasLayer(layer)) { map.addLayer(layer); }
        if (!want && map.hasLayer(layer)) { map.removeLayer(layer); }
      });
    }
    if (wanted.mapped === "1") {
      var onlyBox = document.getElementById("urbanfit-mapped-only");
      if (onlyBox && !onlyBox.checked) { onlyBox.checked = true; mappedOnly(true); }
    }
    if (wanted.swipe === "1") { comparing(true); }
    if (wanted.map) {
      var view = wanted.map.split("/").map(Number);
      if (view.length === 3 && view.every(isFinite)) { map.setView([view[1], view[2]], view[0]); }
    }
  }
  urbanfitOnChoose.push(function () { writeHash(); });
  map.on("moveend", writeHash);

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
      var runs = {}, hexagons = 0;
      var sums = {mapped: [0, 0, 0], estimated: [0, 0, 0]};  // stretches, today, shown
      leaves(curb).filter(inside).forEach(function (layer) {
        var run = layer.feature.properties._r;
        if (run === undefined || run === null) { hexagons += 1; return; }  // a metro-scale map
        if (run in runs) { return; }  // a stretch drawn as several lines counts once
        runs[run] = true;
        var figures = urbanfitFigures(layer.feature);
        var sum = sums[layer.feature.properties._d ? "estimated" : "mapped"];
        sum[0] += 1;
        sum[1] += (figures[0] || [])[0] || 0;
        sum[2] += (figures[chosen] || [])[0] || 0;
      });
      if (hexagons) {
        lines.push("Curb parking: drawn by hexagon on this map (too many sides to draw), so " +
          "not summed here; every side is in layers.gpkg");
      } else {
        lines.push("Curb parking, mapped: " + sums.mapped[0] + " stretches, " + sums.mapped[1] +
          " → " + sums.mapped[2] + " spaces " + shares);
        var hidden = estimated.length ? " (hidden: mapped curbs only)" : "";
        lines.push("Curb parking, estimated: " + sums.estimated[0] + " stretches, " +
          sums.estimated[1] + " → " + sums.estimated[2] + " spaces" + hidden);
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

  /* -- download of the visible layers -- */
  function visibleFeatures() {
    var control = layerControl();
    var out = [];
    (control ? control._layers : []).forEach(function (obj) {
      if (!obj.overlay || !map.hasLayer(obj.layer)) { return; }
      var name = urbanfitPlain(obj.name.replace(/<[^>]*>/g, "").trim());
      leaves(obj.layer).forEach(function (layer) {
        if (!layer.feature) { return; }
        var row = humanRow(name, layer);
        var properties = {};  // the CSV's columns: human headers, figures as numbers
        row.forEach(function (cell) { properties[cell[0]] = cell[1]; });
        out.push({
          feature: {type: "Feature", properties: properties, geometry: layer.toGeoJSON().geometry},
          centre: centre(layer),
          row: row,
        });
      });
    });
    return out;
  }
  /* a feature as [header, value] cells: the tooltip's labels, numbers as numbers, and each
     scenario figure as today's and the chosen share's, in columns of their own */
  function numeric(value) {
    if (typeof value === "string" && /^-?[0-9]+(\.[0-9]+)?$/.test(value)) { return Number(value); }
    return typeof value === "string" ? urbanfitPlain(value) : value;
  }
  function humanRow(name, layer) {
    var geo = null;
    Object.values(layer._eventParents || {}).forEach(function (parent) {
      if (parent instanceof L.GeoJSON) { geo = parent; }
    });
    var spec = (geo && geo.urbanfitSpec) || {tooltip: [], popup: []};
    var entry = urbanfitScenarioLayers.filter(function (e) { return e.geo === geo; })[0];
    var props = layer.feature.properties;
    var cells = [["Layer", name]];
    var seen = {};
    var numbers = spec.numbers || {};
    spec.tooltip.concat(spec.popup).forEach(function (row) {
      if (seen[row[0]]) { return; }
      seen[row[0]] = true;
      var number = numbers[row[0]];
      if (!number) {
        cells.push([row[1], numeric(props[row[0]])]);
        return;
      }
      /* a figure: its number (a word such as "not tagged" leaves the cell empty) */
      var value = number[0] ? props[number[0]] : numeric(props[row[0]]);
      cells.push([number[1], typeof value === "number" && isFinite(value) ? value : null]);
    });
    if (entry) {
      var figures = urbanfitFigures(layer.feature);
      entry.spec.rows.forEach(function (row) {
        var how = entry.spec.shown[row[0]];
        if (!how) { return; }
        var label = row[1].split(",")[0];
        var now = (figures[chosen] || [])[how[1]];
        if (how[0] === "pair") {
          cells.push([label + " (today)", (figures[0] || [])[how[1]]]);
          cells.push([label + " (" + labels[chosen] + ")", now]);
        } else {
          cells.push([label + " (" + labels[chosen] + ")", now]);
        }
      });
    }
    if (props._d !== undefined) { cells.push(["Estimated (no parking tags)", props._d ? 1 : 0]); }
    return cells;
  }
  function save(content, type, suffix) {
    var link = element("a", document.body);
    link.href = URL.createObjectURL(content instanceof Blob ? content :
      new Blob([content], {type: type}));
    link.download = (options.file || "urbanfit") + "-" + suffix;
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
  element("span", downloads, "Download the layers that are on, or the view: ");
  var geojson = element("button", downloads, "GeoJSON");
  geojson.type = "button";
  geojson.id = "urbanfit-download-geojson";
  geojson.addEventListener("click", function () {
    var features = visibleFeatures().map(function (f) { return f.feature; });
    var collection = {type: "FeatureCollection", features: features};
    save(JSON.stringify(collection), "application/geo+json", "layers.geojson");
  });
  var csv = element("button", downloads, "CSV");
  csv.type = "button";
  csv.id = "urbanfit-download-csv";
  csv.addEventListener("click", function () {
    var features = visibleFeatures();
    var columns = [];
    features.forEach(function (f) {
      f.row.forEach(function (cell) {
        if (columns.indexOf(cell[0]) === -1) { columns.push(cell[0]); }
      });
    });
    var header = columns.concat(["Centre latitude", "Centre longitude"]);
    var rows = [header.map(csvCell).join(",")];
    features.forEach(function (f) {
      var values = {};
      f.row.forEach(function (cell) { values[cell[0]] = cell[1]; });
      var cells = columns.map(function (key) { return csvCell(values[key]); });
      rows.push(cells.concat([f.centre.lat.toFixed(5), f.centre.lng.toFixed(5)]).join(","));
    });
    save(rows.join("\r\n") + "\r\n", "text/csv", "layers.csv");
  });

  /* -- an image of the current view: the layers, the title and share, the legend -- */
  function snapshotTexts() {
    function shown(selector) {
      return Array.prototype.filter.call(document.querySelectorAll(selector), function (e) {
        return !e.closest("[hidden]");
      });
    }
    var summary = document.querySelector("#urbanfit-title > summary");
    var lines = shown("#urbanfit-title [data-scenarios] > div").map(function (e) {
      return e.textContent;
    });
    var on = thematic.filter(function (layer) { return map.hasLayer(layer); });
    if (on.length) { lines.unshift("Map: " + thematicName(on[0])); }
    if (swipe.isOn()) {
      lines.push("Left of the line: today (" + labels[0] + "); right of it: " +
        labels[chosen] + ".");
    }
    var legend = shown("#urbanfit-legend .urbanfit-legend-block").map(function (block) {
      var title = block.querySelector("b");
      var entries = Array.prototype.map.call(block.querySelectorAll(".urbanfit-swatch"),
        function (sample) {
          var style = getComputedStyle(sample);
          var dashed = style.borderTopStyle === "dashed";
          var fill = !dashed && parseFloat(style.height) >= 10;
          return {label: sample.parentNode.textContent.trim(), dashed: dashed, fill: fill,
            colour: dashed || fill ? style.borderTopColor : style.backgroundColor};
        });
      return {title: title ? title.textContent : "", entries: entries};
    });
    var source = document.querySelector("#urbanfit-title .urbanfit-source");
    return {
      title: summary ? summary.textContent : "urbanfit",
      lines: lines,
      legend: legend,
      source: source ? source.textContent : "© OpenStreetMap contributors",
      divider: swipe.at(),
    };
  }
  var image = element("button", downloads, "Image (PNG)");
  image.type = "button";
  image.id = "urbanfit-export-png";
  image.title = "Save the current view as a PNG image";
  image.addEventListener("click", function () {
    urbanfitSnapshot(map, snapshotTexts(), function (blob) {
      if (blob) { save(blob, "image/png", "map.png"); }
    });
  });

  var control = L.control({position: "topleft"});
  control.onAdd = function () {
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    return panel;
  };
  control.addTo(map);
  /* once the layer control (added after this script) exists: the address's view, if any */
  setTimeout(function () {
    readHash();
    hashReady = true;
  }, 0);
}

/* When the base-map tiles fail: the study area's outline and the main streets' names, drawn
   by the page itself so that the map can still be read. */
function urbanfitOrientation(map, options) {
  "use strict";
  var streets = options.streets;
  if (!streets || !streets.getBounds) { return; }
  var bounds = streets.getBounds();
  if (!bounds.isValid()) { return; }
  /* drawn apart from the layers' canvas (its own SVG), so it is never taken for a feature */
  L.rectangle(bounds, {color: "#222222", weight: 1.5, dashArray: "8 6", fill: false,
    interactive: false, className: "urbanfit-study-area", renderer: L.svg()}).addTo(map);
  var labelled = L.layerGroup().addTo(map);
  function relabel() {
    labelled.clearLayers();
    var view = map.getBounds();
    var best = {};
    streets.eachLayer(function (layer) {
      var props = layer.feature && layer.feature.properties;
      var name = props && props.name ? urbanfitPlain(props.name) : "";
      if (!name || name === "(unnamed)" || !layer.getBounds) { return; }
      var where = layer.getBounds().getCenter();
      if (!view.contains(where)) { return; }
      var size = layer.getBounds().getNorthEast().distanceTo(layer.getBounds().getSouthWest());
      if (!best[name] || best[name][0] < size) { best[name] = [size, where]; }
    });
    Object.keys(best).sort(function (a, b) { return best[b][0] - best[a][0]; }).slice(0, 30)
      .forEach(function (name) {
        var tip = L.tooltip({permanent: true, direction: "center",
          className: "urbanfit-street-label", interactive: false})
          .setLatLng(best[name][1]).setContent(text(name));
        labelled.addLayer(tip);
      });
  }
  function text(name) {  // OSM text as text, never as HTML
    var span = document.createElement("span");
    span.textContent = name;
    return span;
  }
  map.on("moveend", relabel);
  relabel();
}
