/* urbanfit map.html: decode a layer written by urbanfit/render/map_encode.py into a GeoJSON
   FeatureCollection (columnar properties, delta + zigzag + base64 varint coordinates). */
function urbanfitDecode(packed) {
  "use strict";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var SCALE = 1e5;
  var value = new Int8Array(128);
  for (var a = 0; a < ALPHABET.length; a++) { value[ALPHABET.charCodeAt(a)] = a; }

  function numbers(text) {  // the coordinates as degrees, longitude and latitude alternating
    var out = new Float64Array(text.length);
    var count = 0, last = [0, 0], i = 0;
    while (i < text.length) {
      var result = 0, factor = 1, digit;
      do {
        digit = value[text.charCodeAt(i++)];
        result += (digit & 31) * factor;
        factor *= 32;
      } while (digit & 32);
      var delta = result % 2 ? -(result + 1) / 2 : result / 2;
      var axis = count % 2;
      last[axis] += delta;
      out[count++] = last[axis] / SCALE;
    }
    return out.subarray(0, count);
  }

  function counter(counts) {  // the i-th count of a list, or a constant count
    return typeof counts === "number" ? function () { return counts; }
                                      : function (i) { return counts[i]; };
  }

  function geometries(block) {
    var xy = numbers(block.c), at = 0, out = [];
    function point() { var p = [xy[at], xy[at + 1]]; at += 2; return p; }
    function line(n) { var l = []; for (var j = 0; j < n; j++) { l.push(point()); } return l; }
    function ring(n) { var r = line(n); r.push(r[0].slice()); return r; }
    var o = block.o.map(counter), part = 0, inner = 0;
    for (var g = 0; g < block.n; g++) {
      var parts = [];
      if (block.t === "P") {
        parts = line(o[0](g));
        out.push(parts.length === 1 ? {type: "Point", coordinates: parts[0]}
                                    : {type: "MultiPoint", coordinates: parts});
        continue;
      }
      for (var p = o[0](g); p > 0; p--, part++) {
        if (block.t === "L") { parts.push(line(o[1](part))); continue; }
        var rings = [];
        for (var r = o[1](part); r > 0; r--, inner++) { rings.push(ring(o[2](inner))); }
        parts.push(rings);
      }
      var single = block.t === "L" ? "LineString" : "Polygon";
      out.push(parts.length === 1 ? {type: single, coordinates: parts[0]}
                                  : {type: "Multi" + single, coordinates: parts});
    }
    return out;
  }

  var columns = Object.keys(packed.p).map(function (name) {
    var column = packed.p[name];
    if (Array.isArray(column)) { return [name, column]; }
    return [name, column.i.map(function (k) { return column.k[k]; })];
  });
  var features = [], f = 0;
  packed.g.forEach(function (block) {
    geometries(block).forEach(function (geometry) {
      var properties = {};
      for (var c = 0; c < columns.length; c++) { properties[columns[c][0]] = columns[c][1][f]; }
      features.push({type: "Feature", properties: properties, geometry: geometry});
      f++;
    });
  });
  return {type: "FeatureCollection", features: features};
}
