// A chart page's charts: one uPlot a <figure class="chart">, drawn from the #series JSON (one
// list a column, time first, null where nothing was read: drawn as a gap). The cursor shows
// the values at a moment in the legend; times and units read in the page's language.
(() => {
  const box = document.getElementById("charts");
  const data = JSON.parse(document.getElementById("series").textContent);
  if (!box || !window.uPlot || !data.t.length) return;
  const lang = box.dataset.lang || "en";
  const long = Number(box.dataset.window) > 86400;
  const tick = new Intl.DateTimeFormat(lang, long ? { month: "numeric", day: "numeric" } : { hour: "2-digit", minute: "2-digit" });
  const moment = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" });
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];

  function size(value) {
    let n = Math.abs(value), i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return `${(Math.sign(value) * n).toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
  }
  function shown(unit, value) {
    if (value == null) return "—";
    if (unit === "%") return `${value.toFixed(1)}%`;
    if (unit === "bytes") return size(value);
    if (unit === "bytes/s") return `${size(value)}/s`;
    return String(Math.round(value));
  }

  const colours = ["#2f6fb5", "#c2410c"];
  const charts = [];
  for (const figure of box.querySelectorAll("figure.chart")) {
    const fields = figure.dataset.fields.split(",");
    const labels = figure.dataset.labels.split("|");
    const unit = figure.dataset.unit;
    const holder = document.createElement("div");
    holder.setAttribute("aria-hidden", "true"); // the summary table below is its text
    figure.appendChild(holder);
    const options = {
      width: Math.max(figure.clientWidth, 280),
      height: 180,
      series: [
        { value: (u, t) => (t == null ? "—" : moment.format(new Date(t * 1000))) },
        ...fields.map((field, i) => ({
          label: labels[i], stroke: colours[i % colours.length], width: 1.5,
          value: (u, v) => shown(unit, v),
        })),
      ],
      axes: [
        { values: (u, splits) => splits.map((t) => tick.format(new Date(t * 1000))) },
        { size: 70, values: (u, splits) => splits.map((v) => shown(unit, v)) },
      ],
      scales: { y: { range: (u, min, max) => [0, Math.max(max || 0, unit === "%" ? 100 : 1)] } },
    };
    charts.push(new uPlot(options, [data.t, ...fields.map((f) => data[f])], holder));
  }
  window.addEventListener("resize", () => {
    for (const chart of charts) chart.setSize({ width: Math.max(chart.root.parentElement.clientWidth, 280), height: 180 });
  });
})();
