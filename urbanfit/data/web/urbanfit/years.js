/* urbanfit map.html: the year switch of an adoption timeline (data: urbanfitYearData, written
   by render/map_years.py). Choosing a year shows the run's nearest kei share on the map and the
   year's interpolated figures in the title box; choosing a share again hides them. Text
   reaches the page only through textContent. */

window.addEventListener("load", function () {
  "use strict";
  var data = window.urbanfitYearData;
  var tools = document.getElementById("urbanfit-tools");
  var title = document.getElementById("urbanfit-title");
  if (!data || !tools || !title || typeof urbanfitChooseScenario !== "function") { return; }

  var box = document.createElement("fieldset");
  box.id = "urbanfit-years";
  var legend = document.createElement("legend");
  legend.textContent = data.label;
  box.appendChild(legend);
  var select = document.createElement("select");
  select.setAttribute("aria-label", data.label);
  var none = document.createElement("option");
  none.value = "";
  none.textContent = "no year: the share above";
  select.appendChild(none);
  data.years.forEach(function (item, i) {
    var option = document.createElement("option");
    option.value = String(i);
    option.textContent = item.year + " (" + item.share + " % of the fleet kei)";
    select.appendChild(option);
  });
  box.appendChild(select);
  /* under the kei share, in the one control of layers and shares (map.js), else the tools */
  var shares = document.getElementById("urbanfit-scenarios");
  if (shares && shares.parentNode) {
    shares.parentNode.insertBefore(box, shares.nextSibling);
  } else {
    tools.appendChild(box);
  }

  var lines = document.createElement("div");
  lines.id = "urbanfit-year-lines";
  lines.hidden = true;
  title.insertBefore(lines, title.querySelector("summary").nextSibling);

  var driving = false;
  urbanfitOnChoose.push(function () {  // a share chosen by hand: no year any more
    if (!driving) { select.value = ""; lines.hidden = true; }
  });
  select.addEventListener("change", function () {
    if (select.value === "") { lines.hidden = true; return; }
    var item = data.years[Number(select.value)];
    driving = true;
    urbanfitChooseScenario(item.scenario);
    driving = false;
    var radio = document.querySelector("#urbanfit-scenarios input[value='" + item.scenario + "']");
    if (radio) { radio.checked = true; }
    lines.textContent = "";
    item.lines.forEach(function (line) {
      var row = document.createElement("div");
      row.textContent = line;
      lines.appendChild(row);
    });
    lines.hidden = false;
  });
});
