import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { ExportScreen } from "./export";

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

const settle = () => new Promise((r) => setTimeout(r, 0));

test("export sends format, path and filter, and fills the progress bar", async () => {
  let args: Record<string, unknown> = {};
  const seen: number[] = [];
  mockIPC((cmd, payload) => {
    if (cmd !== "export") return null;
    args = payload as Record<string, unknown>;
    const ch = args.onProgress as { onmessage: (p: { done: number; total: number }) => void };
    ch.onmessage({ done: 1, total: 4 });
    seen.push((document.querySelector("#export-progress") as HTMLProgressElement).value);
    ch.onmessage({ done: 4, total: 4 });
    return { rows: 4, total: 4 };
  });
  const s = new ExportScreen(() => "/data");
  document.body.appendChild(s.el);
  (s.el.querySelector("#export-format") as HTMLSelectElement).value = "csv";
  (s.el.querySelector("#export-filter-flagged") as HTMLInputElement).checked = true;
  const category = s.el.querySelector("#export-filter-category") as HTMLSelectElement;
  category.value = "S9";
  (s.el.querySelector("#export-go") as HTMLButtonElement).click();
  await settle();
  await settle();
  expect(args.format).toBe("csv");
  expect(args.path).toBe("/data/warden-export.csv");
  expect(args.filter).toEqual({ flagged: true, category: "S9" });
  expect(seen).toEqual([0.25]);
  expect((s.el.querySelector("#export-progress") as HTMLProgressElement).value).toBe(1);
  expect(s.el.querySelector("#export-result")?.textContent).toContain("Exported 4 of 4");
});

test("an export error is shown", async () => {
  mockIPC(() => {
    throw { code: "export_path", message: "give a full path" };
  });
  const s = new ExportScreen(() => "/data");
  document.body.appendChild(s.el);
  (s.el.querySelector("#export-path") as HTMLInputElement).value = "rel.jsonl";
  (s.el.querySelector("#export-go") as HTMLButtonElement).click();
  await settle();
  await settle();
  expect(s.el.querySelector("#export-result")?.className).toBe("error");
  expect(s.el.querySelector("#export-result")?.textContent).toBe("give a full path");
});

test("Choose… asks for the destination with the save dialog", async () => {
  let options: { defaultPath: string; filters: { extensions: string[] }[] } | undefined;
  mockIPC((cmd, payload) => {
    if (cmd === "plugin:dialog|save") {
      options = (payload as { options: typeof options }).options;
      return "/home/me/audit.csv";
    }
    return null;
  });
  const s = new ExportScreen(() => "/data");
  document.body.appendChild(s.el);
  (s.el.querySelector("#export-format") as HTMLSelectElement).value = "csv";
  (s.el.querySelector("#export-choose") as HTMLButtonElement).click();
  await settle();
  await settle();
  expect(options?.defaultPath).toBe("/data/warden-export.csv");
  expect(options?.filters[0].extensions).toEqual(["csv"]);
  expect((s.el.querySelector("#export-path") as HTMLInputElement).value).toBe("/home/me/audit.csv");
});

test("Cancel asks the app to stop the export and says nothing was written", async () => {
  const cmds: string[] = [];
  let finish: (v: unknown) => void = () => {};
  let fail: (e: unknown) => void = () => {};
  mockIPC((cmd) => {
    cmds.push(cmd);
    if (cmd === "export") return new Promise((res, rej) => ((finish = res), (fail = rej)));
    if (cmd === "cancel_export") fail({ code: "cancelled", message: "cancelled" });
    return null;
  });
  const s = new ExportScreen(() => "/data");
  document.body.appendChild(s.el);
  const cancel = s.el.querySelector("#export-cancel") as HTMLButtonElement;
  expect(cancel.disabled).toBe(true);
  (s.el.querySelector("#export-go") as HTMLButtonElement).click();
  await settle();
  expect(cancel.disabled).toBe(false);
  cancel.click();
  await settle();
  await settle();
  expect(cmds).toEqual(["export", "cancel_export"]);
  expect(s.el.querySelector("#export-result")?.textContent).toBe("Export cancelled: no file was written.");
  expect(cancel.disabled).toBe(true);
  void finish;
});
