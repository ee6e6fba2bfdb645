// The figures dashboard: draws the charts from the JSON the page carries (no requests).
(function () {
  "use strict";
  const el = document.getElementById("chart-data");
  if (!el || typeof echarts === "undefined") return;
  const data = JSON.parse(el.textContent);
  // ECharts shows a formatter's string as HTML: names are escaped before they go in.
  const text = (value) => echarts.format.encodeHTML(String(value));
  const draw = (id, option) => {
    const node = document.getElementById(id);
    if (!node) return;
    const chart = echarts.init(node);
    chart.setOption(option);
    node.dataset.drawn = "1";
    window.addEventListener("resize", () => chart.resize());
  };
  draw("chart-monthly", {
    title: { text: data.monthly.title, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.monthly.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.monthly.values, itemStyle: { color: "#1f4e79" } }],
  });
  draw("chart-reunions", {
    title: { text: data.reunions.title, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.reunions.items }],
  });
  draw("chart-retention", {
    title: { text: data.retention.title, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.retention.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.retention.values, itemStyle: { color: "#c0504d" } }],
  });
  if (data.map) {
    // No map tiles or boundaries are shipped (docs/maps.md): stations sit on longitude
    // and latitude, named, sized by beds, coloured by the share in use.
    draw("chart-map", {
      title: { text: data.map.title, textStyle: { fontSize: 14 } },
      tooltip: {
        formatter: (p) => `${text(p.data.name)}: ${text(p.data.occupied)}/${text(p.data.beds)}`,
      },
      xAxis: { type: "value", scale: true, name: data.map.x },
      yAxis: { type: "value", scale: true, name: data.map.y },
      visualMap: { show: false, min: 0, max: 1, dimension: 2, inRange: { color: ["#5cb85c", "#f0ad4e", "#d9534f"] } },
      series: [{
        type: "scatter",
        symbolSize: (v) => 8 + Math.sqrt(v[3] || 0) * 3,
        // Each station by its name (drawn on the canvas as text, never as markup), with
        // beds in use of beds, so the chart reads without hovering.
        label: {
          show: true, position: "right", fontSize: 11,
          formatter: (p) => `${p.data.name} ${p.data.occupied}/${p.data.beds}`,
        },
        labelLayout: { hideOverlap: true },
        data: data.map.points.map((s) => ({
          name: s.name, beds: s.beds, occupied: s.occupied,
          value: [s.lng, s.lat, s.beds ? s.occupied / s.beds : 0, s.beds],
        })),
      }],
    });
  }
})();
