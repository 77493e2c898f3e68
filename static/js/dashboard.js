/* The dashboard's charts (ECharts, vendored). Every bar, slice and point
   opens the list behind it. SVG keeps them sharp on a projector and on paper. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-charts");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var uiNode = document.getElementById("dashboard-ui");
  var ui = uiNode ? JSON.parse(uiNode.textContent) : {};
  var charts = [];
  var palette = ["#8b1a1a", "#d97706", "#2563eb", "#059669", "#6b7280", "#7c3aed", "#0891b2", "#be185d"];
  var base = {
    color: palette,
    textStyle: { fontSize: 14 },
    animation: false,
    toolbox: { right: 10, feature: { saveAsImage: { title: ui.save || "保存为图片", pixelRatio: 2 } } },
    // confine: no arrow, which ECharts would write as an inline-styled <div>.
    tooltip: { trigger: "item", confine: true, formatter: tooltipContent }
  };

  // The tooltip's content as DOM nodes, styled by classes (portal.css) and
  // CSSOM: ECharts' own is an HTML string full of style="…", which the
  // Content-Security-Policy refuses. Looks like ECharts' default.
  function element(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function named(name) { return name !== undefined && name !== "" && String(name).indexOf("\0") === -1; }
  function formatValue(value) {
    if (value === null || value === undefined || value === "" || (typeof value === "number" && isNaN(value))) { return "-"; }
    if (typeof value !== "number") { return String(value); }
    var parts = String(value).split(".");
    parts[0] = parts[0].replace(/(\d{1,3})(?=(?:\d{3})+(?!\d))/g, "$1,");
    return parts.join(".");
  }
  function tooltipContent(params) {
    var axis = Array.isArray(params);
    var items = axis ? params : [params];
    var box = element("div", "chart-tip");
    var title = axis ? items.length && items[0].axisValueLabel : named(items[0].seriesName) && items[0].seriesName;
    if (title) { box.appendChild(element("div", "chart-tip-title", title)); }
    items.forEach(function (p) {
      var row = element("div", "chart-tip-row");
      var marker = element("span", "chart-tip-marker");
      marker.style.backgroundColor = typeof p.color === "string" ? p.color : "";
      row.appendChild(marker);
      var label = axis ? p.seriesName : p.name;
      if (named(label)) { row.appendChild(element("span", "chart-tip-name", label)); }
      var value = p.value !== null && typeof p.value === "object" && !Array.isArray(p.value) ? p.value.value : p.value;
      row.appendChild(element("span", "chart-tip-value", formatValue(value)));
      box.appendChild(row);
    });
    return box;
  }

  function draw(id, option, urlOf) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({}, base, option, { tooltip: Object.assign({}, base.tooltip, option.tooltip) }));
    chart.on("click", function (params) {
      var url = urlOf(params);
      if (url) { window.location.href = url; }
    });
    el.setAttribute("data-ready", "1");
    charts.push(chart);
  }

  var pie = data.coverage_pie;
  if (pie) {
    draw("chart-coverage-pie", {
      legend: { bottom: 0 },
      series: [{
        type: "pie", radius: ["30%", "62%"], center: ["50%", "45%"],
        label: { formatter: "{b}\n{d}%", fontSize: 14 },
        data: pie.data
      }]
    }, function (p) { return p.data && p.data.url; });
  }

  var groups = data.coverage_by_group;
  if (groups) {
    var many = groups.categories.length > 15;
    draw("chart-coverage-groups", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 60, right: 30, top: 50, bottom: many ? 90 : 60 },
      xAxis: { type: "category", data: groups.categories, axisLabel: { interval: 0, rotate: groups.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", name: ui.area || "万㎡" },
      dataZoom: many ? [{ type: "slider", start: 0, end: Math.min(100, 1500 / groups.categories.length) }] : [],
      series: groups.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "area", barMaxWidth: 90, emphasis: { focus: "series" }, data: s.data };
      })
    }, function (p) {
      return groups.base + encodeURIComponent(groups.series[p.seriesIndex].mode) + "&" + groups.filter + "=" + groups.ids[p.dataIndex];
    });
  }

  var stages = data.stages;
  if (stages) {
    draw("chart-stages", {
      grid: { left: 50, right: 20, top: 30, bottom: 70 },
      xAxis: { type: "category", data: stages.categories, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", name: ui.count || "个", minInterval: 1 },
      series: [{ type: "bar", barMaxWidth: 90, data: stages.data, label: { show: true, position: "top" } }]
    }, function (p) { return stages.urls[p.dataIndex]; });
  }

  var complaints = data.complaints;
  if (complaints) {
    draw("chart-complaints", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 50, bottom: 40 },
      xAxis: { type: "category", data: complaints.categories },
      yAxis: [
        { type: "value", name: ui.cases || "件", minInterval: 1 },
        { type: "value", name: "%", min: 0, max: 100 }
      ],
      series: [
        { name: complaints.labels.received, type: "bar", data: complaints.received },
        { name: complaints.labels.on_time_rate, type: "line", yAxisIndex: 1, data: complaints.on_time_rate, connectNulls: true },
        { name: complaints.labels.satisfied_rate, type: "line", yAxisIndex: 1, data: complaints.satisfied_rate, connectNulls: true }
      ]
    }, function (p) { return complaints.urls[p.dataIndex]; });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  // On paper the tables behind the charts are shown too.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    charts.forEach(function (c) { c.resize(); });
  });
})();
