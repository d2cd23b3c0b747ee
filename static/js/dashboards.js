// Dashboards: the trend chart (Chart.js, data from json_script), sortable tables (click or
// Enter on a header), the week picker that submits on change, and the print button.
(function () {
  "use strict";

  const dataNode = document.getElementById("trend-data");
  const canvas = document.getElementById("trend-chart");
  if (dataNode && canvas && window.Chart) {
    const points = JSON.parse(dataNode.textContent);
    const line = (label, key, colour, dashed) => ({
      label,
      data: points.map((p) => p[key]),
      borderColor: colour,
      backgroundColor: colour,
      borderDash: dashed ? [6, 4] : [],
      pointRadius: dashed ? 0 : 3,
      spanGaps: true,
      tension: 0.2,
    });
    const datasets = [
      line("Сотрудники, %", "staff_activity", "#0d6efd", false),
      line("Обучающиеся и родители, %", "students_parents_activity", "#198754", false),
      line("Учителя зарегистрированы, %", "teachers_registered", "#6c757d", false),
      line("Цель 75 % (этап 2)", "staff_activity_stage2", "#0d6efd", true),
      line("Цель 30 % (этап 2)", "students_parents_activity_stage2", "#198754", true),
    ];
    if (points.some((p) => p.staff_activity_stage1 !== null)) {
      datasets.push(line("Этап 1: сотрудники", "staff_activity_stage1", "#6ea8fe", true));
      datasets.push(line("Этап 1: обучающиеся и родители", "students_parents_activity_stage1", "#75b798", true));
    }
    window.Chart.defaults.color = "#495057"; // axis and legend text: 4.5:1 on white and more
    const chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: points.map((p) => p.label), datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, suggestedMax: 100, ticks: { callback: (v) => v + " %" } } },
        plugins: {
          // Each legend item is a short line drawn like its dataset: dashed for the targets,
          // solid for the measured values (boxes would draw the dashed lines as blobs).
          legend: {
            position: "bottom",
            labels: {
              usePointStyle: true,
              pointStyleWidth: 28,
              generateLabels: (c) =>
                window.Chart.defaults.plugins.legend.labels.generateLabels(c).map((item) => {
                  const dataset = c.data.datasets[item.datasetIndex];
                  return Object.assign(item, {
                    pointStyle: "line",
                    lineDash: dataset.borderDash,
                    lineWidth: 2,
                    strokeStyle: dataset.borderColor,
                  });
                }),
            },
          },
          tooltip: {
            callbacks: {
              label: (ctx) => ctx.dataset.label + ": " +
                (ctx.parsed.y === null ? "нет данных" : ctx.parsed.y.toLocaleString("ru-RU") + " %"),
            },
          },
        },
      },
    });

    // Printed (the district page is the meeting pack on A4 portrait, 186 mm between the
    // margins), the chart is redrawn to the printed width, then back to the window's.
    const PRINT_WIDTH = 660;
    window.addEventListener("beforeprint", () => {
      chart.resize(Math.min(PRINT_WIDTH, canvas.parentElement.clientWidth || PRINT_WIDTH), 230);
    });
    window.addEventListener("afterprint", () => chart.resize());
  }

  document.querySelectorAll("table.sortable").forEach((table) => {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, index) => {
      const button = th.querySelector("button.sort");
      if (!button) return;
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = th.dataset.sort === "number";
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = (row) => {
          const raw = row.cells[index] && (row.cells[index].dataset.value ?? row.cells[index].textContent);
          return numeric ? parseFloat(raw) : (raw || "").toLocaleLowerCase("ru");
        };
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const order = numeric ? x - y : x.localeCompare(y, "ru");
          return ascending ? order : -order;
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  });

  document.querySelectorAll("[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
