// The live page: reads live.json every few seconds and draws it. No build step, nothing from the
// network: uPlot comes from memwatch's own jar. Text from the JVM (site and class names, log lines)
// is only ever set as textContent.
"use strict";
(function () {
  const KiB = 1024, MiB = KiB * KiB, GiB = MiB * KiB;
  const POLL_MILLIS = 2000;
  const CHART_HEIGHT = 260;

  function bytes(value) {
    if (value == null || !isFinite(value)) return "–";
    const size = Math.abs(value);
    if (size >= GiB) return (value / GiB).toFixed(2) + " GiB";
    if (size >= MiB) return (value / MiB).toFixed(1) + " MiB";
    if (size >= KiB) return (value / KiB).toFixed(0) + " KiB";
    return value.toFixed(0) + " B";
  }

  function duration(seconds) {
    if (seconds == null || !isFinite(seconds)) return "–";
    if (seconds < 120) return Math.round(seconds) + " s";
    if (seconds < 7200) return (seconds / 60).toFixed(1) + " min";
    return (seconds / 3600).toFixed(1) + " h";
  }

  function clock(epochMillis) {
    return new Date(epochMillis).toLocaleTimeString();
  }

  // Ticks on round binary sizes: 1, 2, 5, 10, 20, 50 ... KiB, MiB, GiB.
  const BYTE_STEPS = [KiB, MiB, GiB].flatMap(unit => [1, 2, 5, 10, 20, 50, 100, 200, 500].map(k => k * unit));

  function bytesAxis(unitSuffix) {
    return { scale: "y", size: 84, incrs: BYTE_STEPS, values: (u, ticks) => ticks.map(v => bytes(v) + (unitSuffix || "")) };
  }

  function line(label, stroke, extra) {
    return Object.assign({ label: label, stroke: stroke, width: 1.5, value: (u, v) => bytes(v) }, extra || {});
  }

  function ceiling(label, stroke, dash) {
    return line(label, stroke, { dash: dash, points: { show: false } });
  }

  const charts = {};
  // Exposed for whoever opens the console: the charts and the data they draw.
  window.memwatchCharts = charts;

  function chart(id, series, axes) {
    const element = document.getElementById(id);
    const options = {
      width: Math.max(300, element.clientWidth),
      height: CHART_HEIGHT,
      scales: { x: { time: true } },
      series: [{}].concat(series),
      axes: [{}].concat(axes),
      legend: { live: true },
    };
    charts[id] = new uPlot(options, [[]].concat(series.map(() => [])), element);
    return charts[id];
  }

  function constant(length, value) {
    return new Array(length).fill(value == null ? null : value);
  }

  function memoryData(feed) {
    const h = feed.history, n = h.t.length;
    return [h.t, h.rss, h.heapTotal, h.heapUsed, h.external, constant(n, feed.heapMax), constant(n, feed.containerLimit)];
  }

  // The live set, and while a leak is suspected its trend: the verdict's growth drawn through the
  // last reading over the verdict's window, and on into the future until the heap's max (shown up to
  // as far ahead as the history reaches back).
  function liveData(feed) {
    const h = feed.history, v = feed.verdict, n = h.t.length;
    const t = h.t.slice(), live = h.live.slice(), max = constant(n, feed.heapMax), trend = constant(n, null);
    let lastIndex = -1;
    for (let i = n - 1; i >= 0; i--) if (live[i] != null) { lastIndex = i; break; }
    if (v.suspected && v.growthBytesPerSecond > 0 && lastIndex >= 0) {
      const t0 = t[lastIndex], live0 = live[lastIndex];
      for (let i = 0; i < n; i++) {
        if (t[i] >= t0 - v.windowSeconds && t[i] <= t0) trend[i] = live0 + v.growthBytesPerSecond * (t[i] - t0);
      }
      const span = Math.max(60, t[n - 1] - t[0]);
      const ahead = v.exhaustionSeconds != null ? Math.min(v.exhaustionSeconds, span) : span;
      t.push(t0 + ahead);
      live.push(null);
      max.push(feed.heapMax);
      trend.push(live0 + v.growthBytesPerSecond * ahead);
    }
    return [t, live, trend, max];
  }

  function allocationData(feed) {
    const h = feed.history;
    return [h.t, h.allocatedBytesPerSecond, h.gcPauseMillis];
  }

  function makeCharts() {
    chart("chart-memory", [
      line("rss", "#1a73e8"),
      line("heapTotal", "#12b5cb"),
      line("heapUsed", "#e37400"),
      line("external", "#9334e6"),
      ceiling("heap max", "#5f6368", [6, 4]),
      ceiling("container limit", "#b3261e", [2, 4]),
    ], [bytesAxis()]);
    chart("chart-live", [
      line("live set", "#e37400", { width: 2, points: { show: true, size: 4 } }),
      line("trend", "#b3261e", { dash: [8, 4], width: 2, points: { show: false } }),
      ceiling("heap max", "#5f6368", [6, 4]),
    ], [bytesAxis()]);
    chart("chart-allocation", [
      line("allocated per second", "#1a73e8", { value: (u, v) => bytes(v) + "/s" }),
      { label: "GC pause", scale: "ms", stroke: "#b3261e", fill: "rgba(179,38,30,0.35)",
        paths: uPlot.paths.bars({ size: [0.8, 8] }), value: (u, v) => (v == null ? "–" : v.toFixed(0) + " ms") },
    ], [
      bytesAxis("/s"),
      { scale: "ms", side: 1, size: 60, grid: { show: false }, values: (u, ticks) => ticks.map(v => v + " ms") },
    ]);
    window.addEventListener("resize", () => {
      for (const id in charts) charts[id].setSize({ width: Math.max(300, document.getElementById(id).clientWidth), height: CHART_HEIGHT });
    });
  }

  function text(element, value) {
    element.textContent = value;
    return element;
  }

  function rows(tableId, entries, cells) {
    const body = document.querySelector("#" + tableId + " tbody");
    body.replaceChildren(...entries.map(entry => {
      const row = document.createElement("tr");
      cells(entry).forEach((value, i, all) => {
        const cell = text(document.createElement("td"), value);
        if (i === all.length - 1) cell.className = "number";
        cell.title = value;
        row.appendChild(cell);
      });
      return row;
    }));
  }

  function showVerdict(feed) {
    const v = feed.verdict;
    const box = document.getElementById("verdict");
    const suspects = document.getElementById("verdict-suspects");
    const known = feed.history.live.some(x => x != null);
    box.className = "verdict " + (v.suspected ? "suspected" : known ? "ok" : "unknown");
    suspects.replaceChildren();
    if (v.suspected) {
      text(document.getElementById("verdict-title"), "Leak suspected" + (v.since ? " since " + clock(v.since) : ""));
      let detail = "The live set grows " + bytes(v.growthBytesPerSecond * 60) + " a minute over the last " + duration(v.windowSeconds) + ".";
      if (v.exhaustionSeconds != null) {
        detail += " At that rate the heap runs out in about " + duration(v.exhaustionSeconds)
          + " (" + clock(feed.now + v.exhaustionSeconds * 1000) + ").";
      }
      text(document.getElementById("verdict-detail"), detail);
      feed.liveSites.slice(0, 3).forEach(site => suspects.appendChild(text(document.createElement("li"),
        "live at " + site.site + " (" + site.type + "): " + bytes(site.bytes))));
      feed.retainers.forEach(r => suspects.appendChild(text(document.createElement("li"),
        "kept by " + r.retainer + ": about " + bytes(r.bytes))));
    } else {
      text(document.getElementById("verdict-title"), known ? "No leak suspected" : "No verdict yet: no collection so far");
      text(document.getElementById("verdict-detail"), v.summary);
    }
    text(document.getElementById("projection"), v.suspected && v.exhaustionSeconds != null
      ? "— heap exhausted in about " + duration(v.exhaustionSeconds) : "");
  }

  function show(feed) {
    charts["chart-memory"].setData(memoryData(feed));
    charts["chart-live"].setData(liveData(feed));
    charts["chart-allocation"].setData(allocationData(feed));
    showVerdict(feed);
    rows("allocation-sites", feed.allocationSites, s => [s.site, s.type, bytes(s.bytesPerSecond) + "/s"]);
    rows("live-sites", feed.liveSites, s => [s.site, s.type, bytes(s.bytes)]);
    const said = document.getElementById("said");
    said.replaceChildren(...feed.said.slice().reverse().map(l => text(document.createElement("li"), clock(l.at) + "  " + l.text)));
    const status = document.getElementById("status");
    status.className = "";
    text(status, "updated " + clock(feed.now));
  }

  async function poll() {
    try {
      const response = await fetch("live.json", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      show(await response.json());
    } catch (e) {
      const status = document.getElementById("status");
      status.className = "failing";
      text(status, "cannot read memwatch's figures (" + e.message + "); trying again");
    }
    setTimeout(poll, POLL_MILLIS);
  }

  makeCharts();
  poll();
})();
