/* The measures page's month-by-month trend (ECharts, vendored, as on the dashboard):
   cases received, accepted and resolved as bars, the resolved and satisfied rates as
   lines on a 0–100 % axis. The tooltip is built as DOM nodes: ECharts' own is an HTML
   string with inline styles, which the Content-Security-Policy refuses. */
(function () {
  "use strict";
  var node = document.getElementById("measures-trend");
  var el = document.getElementById("chart-measures-trend");
  if (!node || !el || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var labels = data.labels;

  function element(tag, className, text) {
    var item = document.createElement(tag);
    item.className = className;
    if (text !== undefined) { item.textContent = text; }
    return item;
  }
  function tooltipContent(params) {
    var box = element("div", "chart-tip");
    if (params.length) { box.appendChild(element("div", "chart-tip-title", params[0].axisValueLabel)); }
    params.forEach(function (p) {
      var row = element("div", "chart-tip-row");
      var marker = element("span", "chart-tip-marker");
      marker.style.backgroundColor = typeof p.color === "string" ? p.color : "";
      row.appendChild(marker);
      row.appendChild(element("span", "chart-tip-name", p.seriesName));
      row.appendChild(element("span", "chart-tip-value", p.value === null || p.value === undefined ? "—" : String(p.value)));
      box.appendChild(row);
    });
    return box;
  }

  var chart = window.echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    color: ["#2563eb", "#0891b2", "#059669", "#8b1a1a", "#d97706"],
    textStyle: { fontSize: 14 },
    animation: false,
    tooltip: { trigger: "axis", confine: true, formatter: tooltipContent },
    toolbox: { right: 10, top: 28, feature: { saveAsImage: { title: labels.save, pixelRatio: 2 } } },
    legend: { top: 0 },
    grid: { left: 60, right: 60, top: 70, bottom: 40 },
    xAxis: { type: "category", data: data.categories },
    yAxis: [
      { type: "value", name: labels.cases, minInterval: 1 },
      { type: "value", name: "%", min: 0, max: 100 }
    ],
    series: [
      { name: labels.received, type: "bar", data: data.received, barMaxWidth: 28 },
      { name: labels.accepted, type: "bar", data: data.accepted, barMaxWidth: 28 },
      { name: labels.resolved, type: "bar", data: data.resolved, barMaxWidth: 28 },
      { name: labels.resolved_rate, type: "line", yAxisIndex: 1, data: data.resolved_rate, connectNulls: true },
      { name: labels.satisfied_rate, type: "line", yAxisIndex: 1, data: data.satisfied_rate, connectNulls: true }
    ]
  });
  el.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
}());
