/* urbanfit map.html, the tools panel's downloads: the layers that are on as GeoJSON or CSV
   (human headers, each figure a number in a column of its own, today's and the chosen share's
   apart) and the current view as a PNG image (views.js draws it). */

/* Add the download buttons to the tools `panel`; `kit` is what they read from the page (see
   urbanfitTools). */
function urbanfitDownloads(map, panel, kit) {
  "use strict";
  var element = urbanfitElement, leaves = urbanfitLeaves, centre = urbanfitCentre;
  var layerControl = urbanfitLayerControl;
  var labels = kit.labels;

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
        var now = (figures[kit.chosen()] || [])[how[1]];
        if (how[0] === "pair") {
          cells.push([label + " (today)", (figures[0] || [])[how[1]]]);
          cells.push([label + " (" + labels[kit.chosen()] + ")", now]);
        } else {
          cells.push([label + " (" + labels[kit.chosen()] + ")", now]);
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
    link.download = (kit.file || "urbanfit") + "-" + suffix;
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
    var on = kit.thematic.filter(function (layer) { return map.hasLayer(layer); });
    if (on.length) { lines.unshift("Map: " + kit.thematicName(on[0])); }
    if (kit.swipe.isOn()) {
      lines.push("Left of the line: today (" + labels[0] + "); right of it: " +
        labels[kit.chosen()] + ".");
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
      divider: kit.swipe.at(),
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
}
