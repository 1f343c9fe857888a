/* urbanfit map.html: title and legend as Leaflet controls, a legend of the visible layers,
   a collapsed title and layer list on a phone, a notice when base-map tiles cannot load. */
function urbanfitPage(map, tiles) {
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
  }
  map.on("overlayadd overlayremove", showVisibleLayers);
  showVisibleLayers();

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
}
