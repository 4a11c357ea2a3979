// The Export screen: format, destination, the flagged filter, a progress bar.

import { save } from "@tauri-apps/plugin-dialog";
import { h } from "./dom";
import { api, asApiError, type ExportFormat } from "./ipc";

export class ExportScreen {
  readonly el: HTMLElement;

  constructor(defaultDir: () => string) {
    const format = h(
      "select",
      { id: "export-format" },
      ...(["jsonl", "csv", "sft", "preference"] as const).map((f) => h("option", { value: f }, f)),
    );
    const path = h("input", { type: "text", id: "export-path", size: "60", placeholder: "/full/path/export.jsonl" });
    const flagged = h("input", { type: "checkbox", id: "export-flagged" });
    const progress = h("progress", { id: "export-progress", max: "1", value: "0" });
    const result = h("p", { id: "export-result", role: "status" });
    const go = h("button", { type: "submit", id: "export-go" }, "Export");
    const choose = h("button", { type: "button", id: "export-choose" }, "Choose…");
    const extension = () => (format.value === "csv" ? "csv" : "jsonl");
    choose.addEventListener("click", () => {
      save({
        defaultPath: path.value.trim() || `${defaultDir()}/warden-export.${extension()}`,
        filters: [{ name: format.value.toUpperCase(), extensions: [extension()] }],
      }).then(
        (picked) => {
          if (picked) path.value = picked;
        },
        (e) => {
          result.textContent = asApiError(e).message;
          result.className = "error";
        },
      );
    });
    const form = h(
      "form",
      { class: "export-form" },
      h("label", {}, "Format ", format),
      h("label", {}, "Save to ", path),
      choose,
      h("label", {}, flagged, " Flagged only"),
      go,
      progress,
      result,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!path.value.trim()) path.value = `${defaultDir()}/warden-export.${extension()}`;
      go.disabled = true;
      progress.value = 0;
      result.textContent = "Exporting…";
      result.className = "";
      api
        .exportAudit(format.value as ExportFormat, path.value.trim(), flagged.checked ? { flagged: true } : {}, (done, total) => {
          progress.value = total ? done / total : 1;
        })
        .then(
          (s) => {
            progress.value = 1;
            result.textContent = `Exported ${s.rows} of ${s.total} generations to ${path.value.trim()}.`;
          },
          (e) => {
            result.textContent = asApiError(e).message;
            result.className = "error";
          },
        )
        .finally(() => {
          go.disabled = false;
        });
    });
    this.el = h(
      "section",
      { class: "screen export", "data-screen": "export", hidden: true },
      h("h2", {}, "Export the audit log"),
      h("p", { class: "hint" }, "Written atomically: the file appears only when the export is complete."),
      form,
    );
  }

  async show(): Promise<void> {}
}
