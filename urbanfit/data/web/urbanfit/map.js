/* urbanfit map.html: title and legend as Leaflet controls, a legend of the visible layers,
   a collapsed title and layer list on a phone, a notice when base-map tiles cannot load (and
   the study outline and street names drawn instead), one control for what the map shows (the
   thematic layer, mapped curbs only, the kei share and the swipe), the view kept in the
   page's address, and the tools panel (find.js, downloads.js). Needs features.js. OSM text
   reaches the page only through textContent. */

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

  var element = urbanfitElement, leaves = urbanfitLeaves;
  var layerControl = urbanfitLayerControl;
  function text(value) { return value === null || value === undefined ? "unknown" : String(value); }
  function pair(before, after) {
    return before === null && after === null ? "unknown" : text(before) + " → " + text(after);
  }

  var finder = null;  // the search and area totals (find.js)
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
    if (finder) { finder.refresh(); }
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
      var years = document.getElementById("urbanfit-years");  // the year switch (years.js)
      if (years) { control._section.appendChild(years); }
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
    if (finder) { finder.refresh(); }
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

  /* -- the tools panel: the street search and area totals (find.js), the downloads -- */
  finder = urbanfitFind(map, panel, {
    labels: labels,
    chosen: function () { return chosen; },
    streets: streets,
    curb: curb,
    lots: lots,
    streetWays: streetWays,
    hidden: function () { return estimated.length; },  // estimated curb hidden just now
  });
  urbanfitDownloads(map, panel, {
    labels: labels,
    chosen: function () { return chosen; },
    thematic: thematic,
    thematicName: thematicName,
    swipe: swipe,
    file: options.file,
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
