// The Dashboard: counts from the audit log (`warden audit stats`). Over time (uPlot, a
// maintained chart library drawing on canvas): guard flags per day by category, and the
// guard-flag, user-flag and language-mixing rates. Counts (plain SVG built here, every label
// set with textContent): generations per day, guard events by stage, actions by stage, top
// categories.

import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { append, clear, h } from "./dom";
import { api, asApiError, type AuditStats } from "./ipc";

const SVG = "http://www.w3.org/2000/svg";

export interface Bar {
  label: string;
  value: number;
  /** A second, overlaid value (flagged of the day's generations). */
  part?: number;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A horizontal bar chart: one row per bar, the label left, the count right. */
export function barChart(title: string, bars: Bar[]): SVGSVGElement {
  const rowH = 22;
  const labelW = 120;
  const barW = 260;
  const width = labelW + barW + 110;
  const height = Math.max(1, bars.length) * rowH + 4;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const root = svg("svg", { class: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  root.setAttribute("aria-label", title);
  const t = svg("title", {});
  t.textContent = title;
  root.appendChild(t);
  bars.forEach((b, i) => {
    const y = i * rowH + 2;
    const g = svg("g", { class: "bar", "data-label": b.label, "data-value": b.value });
    const label = svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "chart-label" });
    label.textContent = b.label;
    const w = Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * barW));
    g.append(label, svg("rect", { x: labelW, y: y + 3, width: w, height: rowH - 6, rx: 3, class: "chart-bar" }));
    if (b.part) {
      const pw = Math.max(2, Math.round((b.part / max) * barW));
      g.appendChild(svg("rect", { x: labelW, y: y + 3, width: pw, height: rowH - 6, rx: 3, class: "chart-bar part" }));
    }
    const value = svg("text", { x: labelW + w + 6, y: y + 15, class: "chart-value" });
    value.textContent = b.part ? `${b.value} (${b.part} flagged)` : String(b.value);
    g.appendChild(value);
    root.appendChild(g);
  });
  return root;
}

/** The `n` largest counts, largest first. */
export function top(counts: { key: string; count: number }[], n: number): Bar[] {
  return [...counts]
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, n)
    .map((c) => ({ label: c.key, value: c.count }));
}

/** One line of a time series: a name and a value per day. */
export interface Series {
  label: string;
  values: number[];
}

/** Days (`YYYY-MM-DD`, UTC) as the unix seconds uPlot puts on a time axis. */
export function dayTimes(days: string[]): number[] {
  return days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
}

/** Guard flags per day for the `n` categories flagged most overall; the rest summed as "other". */
export function flagsByCategory(s: AuditStats, n: number): Series[] {
  const days = s.by_day.map((d) => d.day);
  const totals = new Map<string, number>();
  for (const c of s.by_day_category) totals.set(c.category, (totals.get(c.category) ?? 0) + c.count);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const shown = ranked.slice(0, n);
  const series: Series[] = shown.map((label) => ({ label, values: days.map(() => 0) }));
  const other: Series = { label: "other", values: days.map(() => 0) };
  for (const c of s.by_day_category) {
    const i = days.indexOf(c.day);
    if (i < 0) continue;
    const k = shown.indexOf(c.category);
    (k >= 0 ? series[k] : other).values[i] += c.count;
  }
  if (ranked.length > n) series.push(other);
  return series;
}

/** Per-day rates in percent: guard verdicts, user flags, language mixing. */
export function rates(s: AuditStats): Series[] {
  const pct = (part: (d: AuditStats["by_day"][number]) => number) =>
    s.by_day.map((d) => (d.count ? Math.round((part(d) / d.count) * 1000) / 10 : 0));
  return [
    { label: "guard verdicts %", values: pct((d) => d.guarded) },
    { label: "flagged by a person %", values: pct((d) => d.flagged) },
    { label: "language mixing %", values: pct((d) => d.language_mixed) },
  ];
}

type UPlot = typeof uPlot;
let chartLib: Promise<UPlot> | null = null;

/**
 * uPlot, loaded when the dashboard first draws: a chart library that fails to load costs the
 * charts, never the window. It formats numbers with `navigator.language` as it loads, and
 * WebKitGTK reports "C" under the C.UTF-8 locale (minimal Debian/Ubuntu systems, CI), which
 * `Intl` rejects: such a webview is given "en-US" first.
 */
function loadChartLib(): Promise<UPlot> {
  if (!isLanguageTag(navigator.language)) {
    Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
  }
  chartLib ??= import("uplot").then((m) => m.default);
  return chartLib;
}

export function isLanguageTag(tag: string): boolean {
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"];

/**
 * A line chart over days (uPlot). The figure carries the plotted numbers as data attributes
 * (and a text summary for screen readers), so what it shows can be checked without pixels.
 */
export function timeChart(lib: UPlot, title: string, days: string[], series: Series[], width: number): HTMLElement {
  const box = h("div", {
    class: "time-chart",
    role: "img",
    "aria-label": `${title}: ${series.map((x) => `${x.label} ${x.values.join(", ")}`).join("; ")}`,
    "data-days": String(days.length),
    "data-series": series.map((x) => x.label).join("|"),
    "data-totals": series.map((x) => x.values.reduce((a, b) => a + b, 0)).join("|"),
  });
  const xs = dayTimes(days);
  const pad = days.length > 1 ? 43_200 : 86_400;
  const opts: uPlot.Options = {
    width,
    height: 200,
    series: [
      {},
      ...series.map((x, i) => ({
        label: x.label,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        points: { show: days.length < 40 },
      })),
    ],
    axes: [{}, { size: 40 }],
    scales: {
      // The days shown, with room either side (a lone day would otherwise have no span).
      x: { time: true, range: () => [xs[0] - pad, xs[xs.length - 1] + pad] },
      // Counts and rates start at zero.
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    legend: { show: true },
  };
  new lib(opts, [xs, ...series.map((x) => x.values)], box);
  return box;
}

/** Without the chart library: the same numbers as a table. */
function timeTable(days: string[], series: Series[], why: string): HTMLElement {
  return h(
    "div",
    { class: "time-table" },
    h("p", { class: "error" }, `Charts unavailable (${why}); the numbers:`),
    h(
      "table",
      {},
      h("tr", {}, h("th", {}, "day"), ...series.map((x) => h("th", {}, x.label))),
      ...days.map((d, i) => h("tr", {}, h("td", {}, d), ...series.map((x) => h("td", {}, String(x.values[i]))))),
    ),
  );
}

export class DashboardScreen {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    this.body = h("div", { class: "dashboard-body" });
    this.el = h(
      "section",
      { class: "screen dashboard", "data-screen": "dashboard", hidden: true },
      h("h2", {}, "Dashboard"),
      this.body,
    );
  }

  async show(): Promise<void> {
    clear(this.body);
    this.body.appendChild(h("p", { class: "loading" }, "Counting the audit log…"));
    let s: AuditStats;
    try {
      s = await api.auditStats();
    } catch (e) {
      clear(this.body);
      this.body.appendChild(h("p", { class: "error", role: "alert" }, asApiError(e).message));
      return;
    }
    clear(this.body);
    if (s.total === 0) {
      this.body.appendChild(
        h("p", { class: "empty", id: "dashboard-empty" }, "No generations recorded yet: chat first, and the counts show here."),
      );
      return;
    }
    const panel = (title: string, bars: Bar[], empty: string, id: string) =>
      h("figure", { class: "panel", id }, h("figcaption", {}, title), bars.length ? barChart(title, bars) : h("p", { class: "empty" }, empty));
    const days = s.by_day.map((d) => d.day);
    const width = Math.max(320, Math.min(560, (this.body.clientWidth || 1000) / 2 - 40));
    let lib: UPlot | null = null;
    let why = "";
    try {
      lib = await loadChartLib();
    } catch (e) {
      chartLib = null; // try again next time
      why = e instanceof Error ? e.message : String(e);
    }
    const timePanel = (title: string, series: Series[], empty: string, id: string) =>
      h(
        "figure",
        { class: "panel wide", id },
        h("figcaption", {}, title),
        series.length === 0
          ? h("p", { class: "empty" }, empty)
          : lib
            ? timeChart(lib, title, days, series, width)
            : timeTable(days, series, why),
      );
    const stageActions = s.by_stage_action
      .filter((c) => c.action !== "allow")
      .map((c) => ({ key: `${c.stage} · ${c.action}`, count: c.count }));
    append(
      this.body,
      h(
        "div",
        { class: "totals", id: "dashboard-totals" },
        tile("Generations", String(s.total)),
        tile("Flagged", String(s.flagged)),
        tile("Flag rate", `${(s.flag_rate * 100).toFixed(1)}%`),
        tile("Guard events", String(s.by_stage.reduce((n, c) => n + c.count, 0))),
      ),
      h(
        "div",
        { class: "panels" },
        timePanel("Guard flags per day, by category", flagsByCategory(s, 6), "No guard flags yet.", "chart-flags"),
        timePanel("Rates per day", rates(s), "No days yet.", "chart-rates"),
      ),
      h(
        "div",
        { class: "panels" },
        panel(
          "Generations per day (flagged overlaid)",
          s.by_day.slice(-14).map((d) => ({ label: d.day, value: d.count, part: d.flagged })),
          "No days yet.",
          "chart-days",
        ),
        panel("Guard events by stage", top(s.by_stage, 3), "No guard events.", "chart-stages"),
        panel("Actions by stage", top(stageActions, 9), "No flag, redaction or block yet.", "chart-actions"),
        panel("Top categories", top(s.by_category, 8), "No categories hit.", "chart-categories"),
      ),
    );
  }
}

function tile(label: string, value: string): HTMLElement {
  return h("div", { class: "tile" }, h("span", { class: "tile-value" }, value), h("span", { class: "tile-label" }, label));
}
