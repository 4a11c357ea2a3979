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

async function mount(s: EffectiveSettings | (() => never)) {
  mockIPC((cmd) => {
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
  for (const text of ["/d/audit.sqlite3", "/m", "90 days", "on (weights in /m/minilm)", "en"]) expect(dl).toContain(text);
  const s1 = s.el.querySelector("tr[data-category='S1']")!;
  expect([...s1.querySelectorAll("td")].map((td) => td.textContent)).toEqual(["block", "flag", "block"]);
  expect(s1.querySelector("td.action.block")).not.toBeNull();
  expect(s.el.querySelector(".policy .meta")?.textContent).toContain("built-in policy");
  expect([...s.el.querySelectorAll(".policy-table thead th")].map((th) => th.textContent)).toEqual(["Category", "input", "reasoning", "output"]);
});

test("defaults read as words, not nulls", () => {
  const rows = Object.fromEntries(settingsRows({ ...base, retention_days: null, language: null, classifier_enabled: false, context: 0 }));
  expect(rows["Audit retention"]).toBe("kept forever");
  expect(rows["Language pin"]).toBe("none");
  expect(rows["Input classifier"]).toBe("off");
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
