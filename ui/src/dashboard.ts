// The Dashboard: counts from the audit log (`warden audit stats`): generations and flags per
// day, guard events by stage and action, top categories, the flag rate. Charts are plain SVG
// built here, every label set with textContent.

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
  const width = labelW + barW + 60;
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
        panel(
          "Generations per day (flagged overlaid)",
          s.by_day.slice(-14).map((d) => ({ label: d.day, value: d.count, part: d.flagged })),
          "No days yet.",
          "chart-days",
        ),
        panel("Guard events by stage", top(s.by_stage, 3), "No guard events.", "chart-stages"),
        panel("Guard actions", top(s.by_action, 4), "No guard events.", "chart-actions"),
        panel("Top categories", top(s.by_category, 8), "No categories hit.", "chart-categories"),
      ),
    );
  }
}

function tile(label: string, value: string): HTMLElement {
  return h("div", { class: "tile" }, h("span", { class: "tile-value" }, value), h("span", { class: "tile-label" }, label));
}
