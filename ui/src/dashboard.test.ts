import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { barChart, DashboardScreen, top } from "./dashboard";
import type { AuditStats } from "./ipc";

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
    { day: "2026-11-27", count: 1, flagged: 0 },
    { day: "2026-11-28", count: 3, flagged: 1 },
  ],
};

afterEach(() => {
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
