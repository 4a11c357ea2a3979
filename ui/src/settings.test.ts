import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { SettingsScreen, settingsRows } from "./settings";
import type { EffectiveSettings } from "./ipc";

const base: EffectiveSettings = {
  db_path: "/d/audit.sqlite3",
  data_dir: "/d",
  models_dir: "/m",
  model_path: "/m/gemma.gguf",
  context: 4096,
  retention_days: 90,
  classifier_enabled: true,
  classifier_dir: "/m/minilm",
  language: "en",
  policy: {
    source: null,
    version: "2026-11",
    block_message: "I can't help with that.",
    block_messages: [{ code: "S11", message: "You are not alone; call a crisis line." }],
    fail_mode: "open",
    rows: [
      { code: "S1", name: "violent_crimes", input: "block", reasoning: "flag", output: "block" },
      { code: "pii", name: "pii", input: "flag", reasoning: "redact", output: "redact" },
    ],
  },
  policy_error: null,
};

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

let saves: unknown[] = [];
let saveReply: (update: unknown) => unknown = () => ({ saved: { config_file: "/c/config.toml", policy_file: null }, next_start: base });

async function mount(s: EffectiveSettings | (() => never)) {
  saves = [];
  mockIPC((cmd, payload) => {
    if (cmd === "save_settings") {
      const update = (payload as { update: unknown }).update;
      saves.push(update);
      return saveReply(update);
    }
    if (cmd !== "effective_settings") throw { code: "internal", message: cmd };
    return typeof s === "function" ? s() : s;
  });
  const screen = new SettingsScreen();
  document.body.appendChild(screen.el);
  await screen.show();
  return screen;
}

test("the settings and the policy table are shown", async () => {
  const s = await mount(base);
  const dl = s.el.querySelector(".settings-list")!.textContent!;
  for (const text of ["/d/audit.sqlite3", "/m", "90 days", "on, prompts and answers (weights in /m/minilm)", "en"]) expect(dl).toContain(text);
  const s1 = s.el.querySelector("tr[data-category='S1']")!;
  expect([...s1.querySelectorAll("td select")].map((sel) => (sel as HTMLSelectElement).value)).toEqual(["block", "flag", "block"]);
  expect(s1.querySelector("td.action.block")).not.toBeNull();
  expect(s.el.querySelector(".policy .meta")?.textContent).toContain("built-in policy");
  expect(s.el.querySelector(".policy p.hint[data-category='S11']")?.textContent).toBe(
    "Block message for S11: You are not alone; call a crisis line.",
  );
  expect([...s.el.querySelectorAll(".policy-table thead th")].map((th) => th.textContent)).toEqual(["Category", "input", "reasoning", "output"]);
});

test("defaults read as words, not nulls", () => {
  const rows = Object.fromEntries(settingsRows({ ...base, retention_days: null, language: null, classifier_enabled: false, context: 0 }));
  expect(rows["Audit retention"]).toBe("kept forever");
  expect(rows["Language pin"]).toBe("none");
  expect(rows["Classifier"]).toBe("off");
  expect(rows["Context"]).toBe("the model's (capped)");
});

test("an unreadable policy is reported, the rest still shows", async () => {
  const s = await mount({ ...base, policy: null, policy_error: "cannot read /p.toml" });
  expect(s.el.querySelector("[role='alert']")?.textContent).toBe("cannot read /p.toml");
  expect(s.el.querySelector(".settings-list")).not.toBeNull();
});

test("a failed command shows its message", async () => {
  const s = await mount(() => {
    throw { code: "internal", message: "boom" };
  });
  expect(s.el.querySelector("[role='alert']")?.textContent).toBe("boom");
});

test("Save sends only what changed, including policy cells, and says where it went", async () => {
  saveReply = () => ({
    saved: { config_file: "/c/config.toml", policy_file: "/c/policy.toml" },
    next_start: { ...base, retention_days: 30, language: null },
  });
  const s = await mount(base);
  const set = (sel: string, value: string) => {
    const el = s.el.querySelector(sel) as HTMLInputElement | HTMLSelectElement;
    el.value = value;
    el.dispatchEvent(new Event("change"));
  };
  (s.el.querySelector("#settings-save") as HTMLButtonElement).click();
  await new Promise((r) => setTimeout(r, 0));
  expect(saves).toEqual([]);
  expect(s.el.querySelector("#settings-status")?.textContent).toBe("Nothing changed.");
  set("#set-retention", "30");
  set("#set-language", "");
  set("select.action-select[data-category='pii'][data-stage='input']", "block");
  expect(s.el.querySelector("tr[data-category='pii'] td.changed")).not.toBeNull();
  (s.el.querySelector("#settings-save") as HTMLButtonElement).click();
  await new Promise((r) => setTimeout(r, 0));
  expect(saves).toEqual([{ retention_days: 30, language: "", policy: [{ stage: "input", category: "pii", action: "block" }] }]);
  expect(s.el.querySelector("#settings-status")?.textContent).toBe("Saved to /c/config.toml and /c/policy.toml. The policy, language pin and retention apply now; folders and the database when Warden next starts.");
  expect((s.el.querySelector("#set-retention") as HTMLInputElement).value).toBe("30");
});

test("a refused save keeps the form and shows why", async () => {
  saveReply = () => {
    throw { code: "settings_invalid", message: "cannot write /c/config.toml: read-only file system" };
  };
  const s = await mount(base);
  const days = s.el.querySelector("#set-retention") as HTMLInputElement;
  days.value = "";
  (s.el.querySelector("#settings-save") as HTMLButtonElement).click();
  await new Promise((r) => setTimeout(r, 0));
  expect(saves).toEqual([{ retention_days: 0 }]);
  expect(s.el.querySelector("#settings-status")?.textContent).toBe("cannot write /c/config.toml: read-only file system");
  expect(days.value).toBe("");
});
