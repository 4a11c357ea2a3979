import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, expect, test, vi } from "vitest";
import { barChart, DashboardScreen, dayTimes, flagsByCategory, isLanguageTag, rates, top } from "./dashboard";
import type { AuditStats } from "./ipc";

// uPlot draws on a canvas, which happy-dom does not have: here it records what it was given
// (the e2e run draws the real charts in the app's webview).
const plots = vi.hoisted(() => [] as { title: string; opts: { series: { label?: string }[] }; data: number[][] }[]);
const lib = vi.hoisted(() => ({ fail: false }));
vi.mock("uplot", () => {
  class Plot {
    constructor(opts: { series: { label?: string }[] }, data: number[][], el: HTMLElement) {
      plots.push({ title: el.getAttribute("aria-label") ?? "", opts, data });
      el.appendChild(document.createElement("canvas"));
    }
  }
  return {
    get default() {
      // What uPlot does when the webview's language is not a BCP 47 tag.
      if (lib.fail) throw new RangeError("invalid language tag: C");
      return Plot;
    },
  };
});

const stats: AuditStats = {
  total: 4,
  flagged: 1,
  flag_rate: 0.25,
  by_status: [{ key: "completed", count: 3 }],
  by_review_status: [],
  by_category: [
    { key: "S9", count: 2 },
    { key: "<img src=x>", count: 1 },
    { key: "S1", count: 3 },
  ],
  by_action: [{ key: "block", count: 2 }],
  by_stage: [
    { key: "input", count: 2 },
    { key: "output", count: 1 },
  ],
  by_day: [
    { day: "2026-11-27", count: 1, flagged: 0, guarded: 1, language_mixed: 0 },
    { day: "2026-11-28", count: 3, flagged: 1, guarded: 2, language_mixed: 1 },
  ],
  by_day_category: [
    { day: "2026-11-27", category: "S9", count: 1 },
    { day: "2026-11-28", category: "S9", count: 1 },
    { day: "2026-11-28", category: "language", count: 1 },
    { day: "2026-11-28", category: "pii", count: 1 },
  ],
  by_stage_action: [
    { stage: "input", action: "allow", count: 5 },
    { stage: "input", action: "block", count: 2 },
    { stage: "output", action: "flag", count: 1 },
  ],
};

afterEach(() => {
  plots.length = 0;
  lib.fail = false;
  clearMocks();
  document.body.innerHTML = "";
});

async function mount(s: AuditStats | (() => never)) {
  mockIPC((cmd) => {
    if (cmd !== "audit_stats") throw { code: "internal", message: cmd };
    return typeof s === "function" ? s() : s;
  });
  const screen = new DashboardScreen();
  document.body.appendChild(screen.el);
  await screen.show();
  return screen;
}

test("totals, flag rate and one chart per count", async () => {
  const s = await mount(stats);
  const totals = s.el.querySelector("#dashboard-totals")!.textContent!;
  expect(totals).toContain("4Generations");
  expect(totals).toContain("25.0%Flag rate");
  expect(totals).toContain("3Guard events");
  const cats = [...s.el.querySelectorAll("#chart-categories g.bar")].map((g) => g.getAttribute("data-label"));
  expect(cats).toEqual(["S1", "S9", "<img src=x>"]);
  expect(s.el.querySelector("img")).toBeNull();
  const day = s.el.querySelector("#chart-days g.bar[data-label='2026-11-28']")!;
  expect(day.querySelectorAll("rect").length).toBe(2);
  expect(day.textContent).toContain("3 (1 flagged)");
  expect(s.el.querySelector("#chart-stages svg")?.getAttribute("aria-label")).toBe("Guard events by stage");
});

test("bars scale to the largest value", () => {
  const chart = barChart("t", [
    { label: "a", value: 10 },
    { label: "b", value: 5 },
    { label: "c", value: 0 },
  ]);
  const widths = [...chart.querySelectorAll("rect")].map((r) => Number(r.getAttribute("width")));
  expect(widths[0]).toBe(2 * widths[1]);
  expect(widths[2]).toBe(0);
  expect(chart.namespaceURI).toBe("http://www.w3.org/2000/svg");
});

test("top keeps the largest counts, largest first", () => {
  expect(top(stats.by_category, 2).map((b) => b.label)).toEqual(["S1", "S9"]);
});

test("an empty log says so", async () => {
  const s = await mount({ ...stats, total: 0, flagged: 0, flag_rate: 0, by_category: [], by_action: [], by_stage: [], by_day: [] });
  expect(s.el.querySelector("#dashboard-empty")?.textContent).toContain("No generations recorded yet");
  expect(s.el.querySelector("svg")).toBeNull();
});

test("an error is shown", async () => {
  const s = await mount(() => {
    throw { code: "audit_unavailable", message: "database locked" };
  });
  expect(s.el.querySelector("[role='alert']")?.textContent).toBe("database locked");
});

test("flags per day by category: the top ones by name, the rest as other, zero on quiet days", () => {
  expect(flagsByCategory(stats, 6)).toEqual([
    { label: "S9", values: [1, 1] },
    { label: "language", values: [0, 1] },
    { label: "pii", values: [0, 1] },
  ]);
  expect(flagsByCategory(stats, 1)).toEqual([
    { label: "S9", values: [1, 1] },
    { label: "other", values: [0, 2] },
  ]);
});

test("rates per day are percentages of that day's generations", () => {
  expect(rates(stats)).toEqual([
    { label: "guard verdicts %", values: [100, 66.7] },
    { label: "flagged by a person %", values: [0, 33.3] },
    { label: "language mixing %", values: [0, 33.3] },
  ]);
  expect(dayTimes(["1970-01-02"])).toEqual([86_400]);
});

test("the time charts get the days and one series per line; actions are shown by stage", async () => {
  const s = await mount(stats);
  expect(plots.map((p) => p.opts.series.slice(1).map((x) => x.label))).toEqual([
    ["S9", "language", "pii"],
    ["guard verdicts %", "flagged by a person %", "language mixing %"],
  ]);
  expect(plots[0].data).toEqual([dayTimes(["2026-11-27", "2026-11-28"]), [1, 1], [0, 1], [0, 1]]);
  const flags = s.el.querySelector("#chart-flags .time-chart") as HTMLElement;
  expect(flags.dataset.series).toBe("S9|language|pii");
  expect(flags.dataset.totals).toBe("2|1|1");
  const actions = [...s.el.querySelectorAll("#chart-actions g.bar")].map((g) => g.getAttribute("data-label"));
  expect(actions).toEqual(["input · block", "output · flag"]);
});

test("a chart library that fails to load costs the charts, not the screen: the numbers show as a table", async () => {
  lib.fail = true;
  vi.resetModules(); // a fresh dashboard module: nothing loaded yet
  const { DashboardScreen: Fresh } = await import("./dashboard");
  mockIPC(() => stats);
  const s = new Fresh();
  document.body.appendChild(s.el);
  await s.show();
  const table = s.el.querySelector("#chart-rates .time-table")!;
  expect(table.textContent).toContain("invalid language tag: C");
  expect([...table.querySelectorAll("tr")].map((r) => r.textContent)).toEqual([
    "dayguard verdicts %flagged by a person %language mixing %",
    "2026-11-2710000",
    "2026-11-2866.733.333.3",
  ]);
  expect(s.el.querySelectorAll("#chart-categories g.bar").length).toBe(3);
  // Loading is tried again the next time the screen opens.
  lib.fail = false;
  await s.show();
  expect(s.el.querySelector("#chart-rates .time-chart")).not.toBeNull();
});

test("the C locale's language is not a tag Intl takes; real ones are", () => {
  expect(isLanguageTag("C")).toBe(false);
  expect(isLanguageTag("en-US")).toBe(true);
  expect(isLanguageTag("de")).toBe(true);
});
