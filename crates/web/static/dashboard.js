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

// The rankings: per unit category, the units' 按时报送率 (best first; with many units
// the ten best and the ten last), and the trend across rounds. The table under each
// chart holds every figure and exports to XLSX.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent).rankings;
  if (!data) return;
  var palette = ["#1f6feb", "#d4a72c", "#2da44e", "#c8161d", "#8250df", "#57606a", "#0e8a83", "#bf5b04"];

  data.categories.forEach(function (c) {
    var el = document.getElementById("chart-" + c.id);
    if (!el) return;
    var units = c.units;
    if (units.length > 20) units = units.slice(0, 10).concat(units.slice(units.length - 10));
    if (!units.length) { el.textContent = "尚无到期填报，暂不排名。"; el.classList.add("empty"); return; }
    el.style.height = Math.max(220, 60 + units.length * 26) + "px";
    echarts.init(el).setOption({
      animation: false,
      color: ["#1f6feb", "#2da44e"],
      title: { text: c.label + "按时报送率" + (c.units.length > 20 ? "（前十名与后十名）" : ""), left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0 },
      grid: { left: 10, right: 40, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.rank + " " + u.unit; }) },
      series: [
        { name: "按时报送率", type: "bar", data: units.map(function (u) { return u.on_time_rate; }), label: { show: true, position: "right", formatter: "{c}%" } },
        { name: "序时达标率", type: "bar", data: units.map(function (u) { return u.on_pace_share; }) }
      ]
    });
  });

  var trend = document.getElementById("chart-trend");
  if (trend && data.rounds.length) {
    var series = [
      { name: "按时报送率", type: "line", data: data.rounds.map(function (r) { return r.on_time_rate; }), lineStyle: { width: 3 } },
      { name: "序时达标率", type: "line", data: data.rounds.map(function (r) { return r.on_pace_share; }), lineStyle: { width: 3, type: "dashed" } }
    ];
    data.categories.forEach(function (c, i) {
      series.push({ name: c.label + "按时报送率", type: "line", data: data.rounds.map(function (r) { return r.by_category[i]; }) });
    });
    echarts.init(trend).setOption({
      animation: false,
      color: palette,
      title: { text: "各轮填报情况趋势", left: "center", textStyle: { fontSize: 15 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 10, right: 30, top: 40, bottom: 50, containLabel: true },
      xAxis: { type: "category", data: data.rounds.map(function (r) { return r.round; }) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: series
    });
  } else if (trend) {
    trend.textContent = "尚无填报轮次。";
    trend.classList.add("empty");
  }
})();
