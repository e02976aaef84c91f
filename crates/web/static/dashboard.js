// Draws the leader dashboard's charts from the JSON embedded in the page.
// A separate file (not inline) so the Content-Security-Policy can forbid inline scripts.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var red = "#c8161d";
  var palette = ["#1f6feb", "#d4a72c", "#2da44e", red, "#8250df", "#57606a"];

  function pie(id, title, items) {
    var el = document.getElementById(id);
    if (!el) return;
    echarts.init(el).setOption({
      color: palette,
      title: { text: title, left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: items.filter(function (i) { return i.value > 0; }), label: { formatter: "{b}\n{c}" } }]
    });
  }

  pie("chart-task-states", "任务办理状态", data.task_states.map(function (s) { return { name: s.label, value: s.count }; }));
  if (data.report_states.length) {
    pie("chart-report-states", "本轮填报状态（" + data.round_label + "）", data.report_states.map(function (s) { return { name: s.label, value: s.count }; }));
  }
  var el = document.getElementById("chart-units");
  if (el && data.units.length) {
    var units = data.units.slice(0, 20);
    echarts.init(el).setOption({
      color: ["#2da44e", "#d4a72c", red],
      title: { text: "各单位本轮填报与逾期", left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 10, right: 20, top: 40, bottom: 50, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.unit; }) },
      series: [
        { name: "已报送", type: "bar", stack: "r", data: units.map(function (u) { return u.reported; }) },
        { name: "未报送", type: "bar", stack: "r", data: units.map(function (u) { return u.reports - u.reported; }) },
        { name: "逾期（签收与报送）", type: "bar", data: units.map(function (u) { return u.lapses; }) }
      ]
    });
  }
})();
