// The Settings screen: the effective settings, and a form for the ones a person changes here
// (data folder, database file, retention, language pin, and the guard policy's action per
// category per stage). Saving writes the config file (and a policy file) through the core;
// the policy, pin and retention apply at once, folders and the database at the next start.
// WARDEN_* environment variables still win.

import { append, clear, h } from "./dom";
import { api, asApiError, LANGUAGES, type Action, type EffectiveSettings, type PolicyView, type SettingsUpdate } from "./ipc";

const ACTIONS: Action[] = ["allow", "flag", "redact", "block"];

/** The label/value pairs shown for the settings. */
export function settingsRows(s: EffectiveSettings): [string, string][] {
  return [
    ["Database", s.db_path],
    ["Data folder", s.data_dir],
    ["Models folder", s.models_dir],
    ["Model loaded by default", s.model_path],
    ["Context", s.context === 0 ? "the model's (capped)" : String(s.context)],
    ["Audit retention", s.retention_days === null ? "kept forever" : `${s.retention_days} days`],
    ["Classifier", s.classifier_enabled ? `on, prompts and answers (weights in ${s.classifier_dir})` : "off"],
    ["Language pin", s.language ?? "none"],
  ];
}

export class SettingsScreen {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;

  constructor() {
    this.body = h("div", { class: "settings-body" });
    this.el = h(
      "section",
      { class: "screen settings", "data-screen": "settings", hidden: true },
      h("h2", {}, "Settings"),
      h(
        "p",
        { class: "hint" },
        "Saved to the config file (WARDEN_CONFIG). The policy, language pin and retention apply at once; folders and the database at the next start. WARDEN_* environment variables override the file.",
      ),
      this.body,
    );
  }

  async show(): Promise<void> {
    clear(this.body);
    this.body.appendChild(h("p", { class: "loading" }, "Reading the settings…"));
    let s: EffectiveSettings;
    try {
      s = await api.effectiveSettings();
    } catch (e) {
      clear(this.body);
      this.body.appendChild(h("p", { class: "error", role: "alert" }, asApiError(e).message));
      return;
    }
    this.render(s);
  }

  private render(s: EffectiveSettings, message?: string): void {
    clear(this.body);
    const text = (id: string, value: string, label: string, placeholder = "") =>
      h("label", {}, `${label} `, h("input", { type: "text", id, value, placeholder, size: "48" }));
    const dataDir = text("set-data-dir", s.data_dir, "Data folder");
    const dbPath = text("set-db-path", s.db_path, "Database file");
    const retention = h("label", {}, "Keep records for ", h("input", { type: "number", id: "set-retention", min: "0", step: "1", value: s.retention_days === null ? "" : String(s.retention_days), placeholder: "forever" }), " days");
    const language = h("select", { id: "set-language" });
    for (const l of LANGUAGES) language.appendChild(h("option", { value: l.code }, l.code ? l.label : "No pin"));
    language.value = s.language ?? "";
    const save = h("button", { type: "submit", id: "settings-save" }, "Save");
    const status = h("p", { id: "settings-status", class: "hint", role: "status" }, message ?? "");
    const form = h(
      "form",
      { class: "settings-form", id: "settings-form" },
      dataDir,
      dbPath,
      retention,
      h("label", {}, "Answer language ", language),
      h("h3", {}, "Guard policy"),
      s.policy
        ? policyTable(s.policy, true)
        : h("p", { class: "error", role: "alert" }, s.policy_error ?? "The policy could not be read."),
      h("div", { class: "settings-actions" }, save, status),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save(s, form, status, save);
    });
    append(
      this.body,
      h(
        "dl",
        { class: "settings-list" },
        ...settingsRows(s).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      form,
    );
  }

  private async save(s: EffectiveSettings, form: HTMLElement, status: HTMLElement, btn: HTMLButtonElement): Promise<void> {
    const update = settingsUpdate(s, form);
    if (Object.keys(update).length === 0) {
      status.textContent = "Nothing changed.";
      return;
    }
    btn.disabled = true;
    status.className = "hint";
    try {
      const r = await api.saveSettings(update);
      const where = r.saved.policy_file ? `${r.saved.config_file} and ${r.saved.policy_file}` : r.saved.config_file;
      this.render(r.next_start, `Saved to ${where}. The policy, language pin and retention apply now; folders and the database when Warden next starts.`);
    } catch (e) {
      status.textContent = asApiError(e).message;
      status.className = "hint error";
    } finally {
      btn.disabled = false;
    }
  }
}

/** What differs between the form and the settings it was filled from. */
export function settingsUpdate(s: EffectiveSettings, form: ParentNode): SettingsUpdate {
  const value = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement).value.trim();
  const u: SettingsUpdate = {};
  if (value("set-data-dir") !== s.data_dir) u.data_dir = value("set-data-dir");
  if (value("set-db-path") !== s.db_path) u.db_path = value("set-db-path");
  const days = value("set-retention");
  const wasDays = s.retention_days === null ? "" : String(s.retention_days);
  if (days !== wasDays) u.retention_days = days === "" ? 0 : Math.max(0, Math.floor(Number(days)));
  if (value("set-language") !== (s.language ?? "")) u.language = value("set-language");
  const policy = [...form.querySelectorAll<HTMLSelectElement>("select.action-select")]
    .filter((sel) => sel.value !== sel.dataset.was)
    .map((sel) => ({ stage: sel.dataset.stage!, category: sel.dataset.category!, action: sel.value as Action }));
  if (policy.length) u.policy = policy;
  return u;
}

const STAGES = ["input", "reasoning", "output"] as const;

/** The policy as a table; `editable` puts a choice of action in each cell. */
export function policyTable(p: PolicyView, editable = false): HTMLElement {
  const meta = h(
    "p",
    { class: "meta" },
    `${p.source ?? "built-in policy"} · version ${p.version} · optional scanners fail ${p.fail_mode}`,
  );
  const table = h(
    "table",
    { class: "policy-table" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col" }, "Category"), ...STAGES.map((st) => h("th", { scope: "col" }, st))),
    ),
    h(
      "tbody",
      {},
      ...p.rows.map((r) =>
        h(
          "tr",
          { "data-category": r.code },
          h("th", { scope: "row" }, `${r.code} `, h("span", { class: "hint" }, r.name.replace(/_/g, " "))),
          ...STAGES.map((st) => h("td", { class: `action ${r[st]}` }, editable ? actionSelect(r.code, st, r[st]) : r[st])),
        ),
      ),
    ),
  );
  const messages = [
    h("p", { class: "hint" }, `Block message: ${p.block_message}`),
    ...p.block_messages.map((m) => h("p", { class: "hint", "data-category": m.code }, `Block message for ${m.code}: ${m.message}`)),
  ];
  return h("div", { class: "policy" }, meta, table, ...messages);
}

function actionSelect(category: string, stage: string, action: Action): HTMLSelectElement {
  const sel = h("select", {
    class: "action-select",
    "data-category": category,
    "data-stage": stage,
    "data-was": action,
    "aria-label": `${category} at ${stage}`,
  });
  for (const a of ACTIONS) sel.appendChild(h("option", { value: a }, a));
  sel.value = action;
  sel.addEventListener("change", () => {
    const td = sel.closest("td");
    if (td) td.className = `action ${sel.value}${sel.value !== action ? " changed" : ""}`;
  });
  return sel;
}
