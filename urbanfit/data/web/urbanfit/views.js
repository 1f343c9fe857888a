/* urbanfit map.html: two views the page draws itself, with no library beyond Leaflet.
   - urbanfitSwipe: before/after. Today (0 % kei) left of a divider the reader drags, the chosen
     kei share right of it, for the coloured layer that is on. Each side is a copy of the layer
     on a canvas of its own, clipped at the divider; the layer itself stays (invisible) under
     them, so that its tooltips still answer.
   - urbanfitSnapshot: a PNG of the current view: the layers' canvases as clipped on screen,
     the base-map tiles where the browser allows it, and the title, share, legend and
     attribution written onto the image. */

/* tools: {labels, chosen() -> index, layer() -> the coloured scenario layer on ({geo, spec})
   or null, colourAt(spec, feature, k) -> colour, leaves(layer) -> its features} */
function urbanfitSwipe(map, tools) {
  "use strict";
  var container = map.getContainer();
  var state = null;  // while on: {entry, sides: [{renderer, group}], divider, at, frame}

  function copy(layer, colour, renderer) {
    var options = L.extend({}, layer.options, {renderer: renderer, interactive: false});
    ["color", "fillColor"].forEach(function (key) {
      if (layer.options[key] === layer.options.color) { options[key] = colour; }
    });
    var Shape = layer instanceof L.Polygon ? L.Polygon : L.Polyline;
    return new Shape(layer.getLatLngs(), options);
  }
  function side(entry, k) {
    var renderer = L.canvas({padding: 0.1});
    var group = L.layerGroup(tools.leaves(entry.geo).filter(function (layer) {
      return layer.feature && layer.getLatLngs;
    }).map(function (layer) {
      return copy(layer, tools.colourAt(entry.spec, layer.feature, k), renderer);
    })).addTo(map);
    return {renderer: renderer, group: group};
  }
  /* clip each side's canvas at the divider (x in the map's pixels), every frame while on:
     the canvases move with every pan and zoom */
  function clip() {
    if (!state) { return; }
    var box = container.getBoundingClientRect();
    state.sides.forEach(function (s, i) {
      var canvas = s.renderer._container;
      if (!canvas) { return; }
      var rect = canvas.getBoundingClientRect();
      var scale = rect.width ? canvas.offsetWidth / rect.width : 1;
      var x = (box.left + state.at - rect.left) * scale;
      var inset = i === 0 ? "inset(0 " + Math.max(0, canvas.offsetWidth - x) + "px 0 0)" :
        "inset(0 0 0 " + Math.max(0, x) + "px)";
      if (s.inset === inset) { return; }  // nothing moved since the last frame
      s.inset = inset;
      canvas.style.clipPath = inset;
      // the part shown, in the map's pixels: the image export draws the same
      canvas.setAttribute("data-urbanfit-clip", i === 0 ? "0 " + state.at :
        state.at + " " + box.width);
    });
    state.frame = requestAnimationFrame(clip);
  }
  function divider() {
    var bar = L.DomUtil.create("div", "urbanfit-swipe", container);
    bar.id = "urbanfit-swipe-divider";
    var left = L.DomUtil.create("div", "urbanfit-swipe-label urbanfit-swipe-before", bar);
    left.textContent = "◀ Today (" + tools.labels[0] + ")";
    var right = L.DomUtil.create("div", "urbanfit-swipe-label urbanfit-swipe-after", bar);
    right.textContent = tools.labels[tools.chosen()] + " ▶";
    var handle = L.DomUtil.create("div", "urbanfit-swipe-handle", bar);
    handle.setAttribute("aria-label", "Drag to compare today with the kei share shown");
    L.DomEvent.disableClickPropagation(bar);
    function place() { bar.style.left = state.at + "px"; }
    function move(event) {
      var box = container.getBoundingClientRect();
      state.at = Math.min(box.width - 2, Math.max(2, event.clientX - box.left));
      place();
    }
    function up() {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      map.dragging.enable();
    }
    bar.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      event.stopPropagation();
      map.dragging.disable();
      document.addEventListener("pointermove", move);
      document.addEventListener("pointerup", up);
    });
    return {bar: bar, after: right, place: place};
  }

  function off() {
    if (!state) { return; }
    cancelAnimationFrame(state.frame);
    state.sides.forEach(function (s) {
      map.removeLayer(s.group);
      map.removeLayer(s.renderer);
    });
    state.divider.bar.remove();
    state.entry.geo.resetStyle();
    state = null;
  }
  function on() {
    var entry = tools.layer();
    if (!entry) { return false; }
    var at = state ? state.at : container.getBoundingClientRect().width / 2;
    var bar = state ? state.divider : null;
    if (state) {
      cancelAnimationFrame(state.frame);
      state.sides.forEach(function (s) { map.removeLayer(s.group); map.removeLayer(s.renderer); });
    }
    entry.geo.resetStyle();  // the copies take its drawn style, then it is hidden
    state = {entry: entry, sides: [side(entry, 0), side(entry, tools.chosen())], at: at};
    entry.geo.setStyle({opacity: 0, fillOpacity: 0});
    state.divider = bar || divider();
    state.divider.after.textContent = tools.labels[tools.chosen()] + " ▶";
    state.divider.place();
    clip();
    return true;
  }
  /* after a change of share, layer or filter: draw both sides again, or stop if the layer left */
  function refresh() {
    if (!state) { return; }
    var entry = tools.layer();
    if (!entry) { off(); return; }
    if (entry !== state.entry) { state.entry.geo.resetStyle(); }
    on();
  }
  return {
    on: on,
    off: off,
    refresh: refresh,
    isOn: function () { return Boolean(state); },
    at: function () { return state ? state.at : null; },  // the divider, in the map's pixels
  };
}

/* A PNG of the map as it is on screen, passed to done(blob). texts: {title, lines (the
   share's), legend: [{title, entries: [{label, colour, dashed, fill}]}], source} */
function urbanfitSnapshot(map, texts, done) {
  "use strict";
  var container = map.getContainer();
  var box = container.getBoundingClientRect();
  var ratio = window.devicePixelRatio || 1;

  function draw(withTiles) {
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    var ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = getComputedStyle(container).backgroundColor || "#ffffff";
    ctx.fillRect(0, 0, box.width, box.height);
    if (withTiles) {
      container.querySelectorAll(".leaflet-tile-pane img.leaflet-tile-loaded").forEach(
        function (img) { place(ctx, img, null); });
    }
    container.querySelectorAll(".leaflet-overlay-pane canvas").forEach(function (layer) {
      var shown = (layer.getAttribute("data-urbanfit-clip") || "").split(" ").map(Number);
      place(ctx, layer, shown.length === 2 ? shown : null);
    });
    orientation(ctx);
    panels(ctx);
    return canvas;
  }
  function place(ctx, element, shown) {
    var rect = element.getBoundingClientRect();
    if (!rect.width || !rect.height) { return; }
    ctx.save();
    if (shown) {
      ctx.beginPath();
      ctx.rect(shown[0], 0, shown[1] - shown[0], box.height);
      ctx.clip();
    }
    if (getComputedStyle(element).opacity !== "1") {
      ctx.globalAlpha = Number(getComputedStyle(element).opacity);
    }
    ctx.drawImage(element, rect.left - box.left, rect.top - box.top, rect.width, rect.height);
    ctx.restore();
  }
  /* what the page draws when the tiles fail (urbanfitOrientation): the study area's dashed
     outline (a rectangle, so its box) and the street names, where they sit on the screen */
  function orientation(ctx) {
    container.querySelectorAll(".urbanfit-study-area").forEach(function (outline) {
      var rect = outline.getBoundingClientRect();
      var style = getComputedStyle(outline);
      ctx.save();
      ctx.strokeStyle = style.stroke || "#222222";
      ctx.lineWidth = parseFloat(style.strokeWidth) || 1.5;
      ctx.setLineDash([8, 6]);
      ctx.strokeRect(rect.left - box.left, rect.top - box.top, rect.width, rect.height);
      ctx.restore();
    });
    ctx.save();
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    container.querySelectorAll(".leaflet-tooltip.urbanfit-street-label").forEach(function (tip) {
      var rect = tip.getBoundingClientRect();
      if (!rect.width) { return; }
      var x = rect.left - box.left + rect.width / 2, y = rect.top - box.top + rect.height / 2;
      var width = ctx.measureText(tip.textContent).width + 6;
      ctx.fillStyle = "rgba(255, 255, 255, 0.75)";
      ctx.fillRect(x - width / 2, y - 8, width, 16);
      ctx.fillStyle = "#222222";
      ctx.fillText(tip.textContent, x, y);
    });
    ctx.restore();
  }
  function wrap(ctx, text, width) {
    var lines = [], line = "";
    String(text).split(/\s+/).forEach(function (word) {
      var next = line ? line + " " + word : word;
      if (line && ctx.measureText(next).width > width) { lines.push(line); line = word; } else {
        line = next;
      }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  /* a white box of lines: [text, bold] rows or swatch rows; returns its height */
  /* the rows that fit in `room` px, wrapped to `width`, drawn unless measuring; a "…" row
     ends a box that had to stop */
  function card(ctx, x, y, width, rows, room, measureOnly) {
    var pad = 8, line = 15, height = pad, full = false;
    rows.forEach(function (row) {
      ctx.font = (row.bold ? "bold " : "") + "12px sans-serif";
      var indent = row.swatch ? 24 : 0;
      wrap(ctx, row.text, width - 2 * pad - indent).forEach(function (text, i) {
        if (full) { return; }
        var last = height + 2 * line + pad > room;
        if (!measureOnly) {
          ctx.fillStyle = "#222222";
          ctx.fillText(last ? "…" : text, x + pad + indent, y + height + 11);
          if (row.swatch && i === 0 && !last) {
            swatch(ctx, row.swatch, x + pad, y + height + 7);
          }
        }
        height += line;
        full = last;
      });
    });
    return height + pad;
  }
  function swatch(ctx, s, x, y) {
    ctx.save();
    if (s.fill) {
      ctx.fillStyle = s.colour;
      ctx.globalAlpha = 0.7;
      ctx.fillRect(x, y - 5, 16, 10);
    } else {
      ctx.strokeStyle = s.colour;
      ctx.lineWidth = 3;
      if (s.dashed) { ctx.setLineDash([4, 3]); }
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 16, y);
      ctx.stroke();
    }
    ctx.restore();
  }
  function boxAt(ctx, x, y, width, rows) {
    var room = box.height * 0.45;  // the title above, the legend below: the map between
    var height = card(ctx, x, y, width, rows, room, true);
    if (y < 0) { y = box.height - height - 24; }  // above the attribution line
    ctx.save();
    ctx.fillStyle = "rgba(255, 255, 255, 0.92)";
    ctx.strokeStyle = "#999999";
    ctx.fillRect(x, y, width, height);
    ctx.strokeRect(x + 0.5, y + 0.5, width - 1, height - 1);
    ctx.restore();
    card(ctx, x, y, width, rows, room, false);
  }
  function panels(ctx) {
    var width = Math.min(340, box.width / 2 - 20);
    var title = [{text: texts.title, bold: true}].concat(texts.lines.map(function (t) {
      return {text: t};
    }));
    boxAt(ctx, 10, 10, width, title);
    var legend = [];
    texts.legend.forEach(function (block) {
      legend.push({text: block.title, bold: true});
      block.entries.forEach(function (e) { legend.push({text: e.label, swatch: e}); });
    });
    if (legend.length) { boxAt(ctx, box.width - Math.min(260, width) - 10, -1, Math.min(260, width), legend); }
    ctx.font = "11px sans-serif";
    ctx.fillStyle = "#333333";
    ctx.fillText(texts.source, 10, box.height - 8);
    scaleBar(ctx);
    if (texts.divider !== null && texts.divider !== undefined) {
      ctx.fillStyle = "#222222";
      ctx.fillRect(texts.divider - 1, 0, 2, box.height);
    }
  }
  /* scale bars of a round length, about 100 px, in metres and in feet (or miles), above
     the attribution, as the page's own scale shows them */
  function scaleBar(ctx) {
    var y = box.height / 2;
    var metres = map.distance(map.containerPointToLatLng([0, y]),
      map.containerPointToLatLng([100, y]));
    if (!(metres > 0)) { return; }
    var feet = metres / 0.3048;
    var metric = roundDown(metres);
    bar(ctx, box.height - 40, 100 * metric / metres,
      metric >= 1000 ? metric / 1000 + " km" : metric + " m");
    var us = feet > 5280 ? roundDown(feet / 5280) : roundDown(feet);
    bar(ctx, box.height - 24, feet > 5280 ? 100 * us * 5280 / feet : 100 * us / feet,
      feet > 5280 ? us + " mi" : us + " ft");
  }
  function roundDown(value) {  // the largest 1, 2 or 5 times a power of ten below value
    var power = Math.pow(10, Math.floor(Math.log10(value)));
    var step = [5, 2, 1].filter(function (s) { return s * power <= value; })[0] || 1;
    return step * power;
  }
  function bar(ctx, bottom, width, label) {
    var x = 10;
    ctx.fillStyle = "#222222";
    ctx.fillRect(x, bottom - 2, width, 2);
    ctx.fillRect(x, bottom - 8, 2, 8);
    ctx.fillRect(x + width - 2, bottom - 8, 2, 8);
    ctx.font = "11px sans-serif";
    ctx.fillText(label, x + width + 6, bottom);
  }

  var canvas = draw(true);
  try {
    canvas.toBlob(done, "image/png");
  } catch (error) {  // a tile from a server that does not allow it taints the image: no tiles
    draw(false).toBlob(done, "image/png");
  }
}
