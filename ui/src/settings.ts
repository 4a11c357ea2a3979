// The Settings screen: the effective settings, read-only, and the guard policy as a table
// (action per category per stage). Edit the config file or the environment to change them.

import { append, clear, h } from "./dom";
import { api, asApiError, type EffectiveSettings, type PolicyView } from "./ipc";

/** The label/value pairs shown for the settings. */
export function settingsRows(s: EffectiveSettings): [string, string][] {
  return [
    ["Database", s.db_path],
    ["Data folder", s.data_dir],
    ["Models folder", s.models_dir],
    ["Model loaded by default", s.model_path],
    ["Context", s.context === 0 ? "the model's (capped)" : String(s.context)],
    ["Audit retention", s.retention_days === null ? "kept forever" : `${s.retention_days} days`],
    ["Input classifier", s.classifier_enabled ? `on (weights in ${s.classifier_dir})` : "off"],
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
      h("p", { class: "hint" }, "Read-only: the config file (WARDEN_CONFIG) and WARDEN_* environment variables set these."),
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
    clear(this.body);
    append(
      this.body,
      h(
        "dl",
        { class: "settings-list" },
        ...settingsRows(s).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      h("h3", {}, "Guard policy"),
      s.policy
        ? policyTable(s.policy)
        : h("p", { class: "error", role: "alert" }, s.policy_error ?? "The policy could not be read."),
    );
  }
}

const STAGES = ["input", "reasoning", "output"] as const;

export function policyTable(p: PolicyView): HTMLElement {
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
          ...STAGES.map((st) => h("td", { class: `action ${r[st]}` }, r[st])),
        ),
      ),
    ),
  );
  return h("div", { class: "policy" }, meta, table, h("p", { class: "hint" }, `Block message: ${p.block_message}`));
}
