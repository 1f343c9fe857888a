/* urbanfit map.html, first of its scripts: the state and helpers the others share. The
   scenario layers and their figures (`_s`), the tooltip and popup tables as text, the layer
   control folium keeps out of reach, and small DOM and layer helpers. OSM text reaches the
   page only through textContent. */

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

/* An element with optional text, appended to `parent` when given. */
function urbanfitElement(tag, parent, text) {
  "use strict";
  var node = document.createElement(tag);
  if (text !== undefined) { node.textContent = text; }
  if (parent) { parent.appendChild(node); }
  return node;
}

/* Every drawn feature (leaf) below a layer or group; none for a missing layer. */
function urbanfitLeaves(layer) {
  "use strict";
  var out = [];
  if (!layer) { return out; }
  (function walk(l) { if (l.eachLayer) { l.eachLayer(walk); } else { out.push(l); } })(layer);
  return out;
}

/* The page's layer control (the last one made). */
function urbanfitLayerControl() {
  "use strict";
  return urbanfitLayerControls[urbanfitLayerControls.length - 1];
}

/* A feature's centre: its bounds' centre, or a point's position. */
function urbanfitCentre(layer) {
  "use strict";
  return layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
}
