// The Export screen: format, destination, the same filters as Review, a progress bar and
// Cancel (the file only appears when the export is complete, so a cancel leaves nothing).

import { save } from "@tauri-apps/plugin-dialog";
import { h } from "./dom";
import { FilterBar } from "./filters";
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
    const filters = new FilterBar("export-filter");
    const progress = h("progress", { id: "export-progress", max: "1", value: "0" });
    const result = h("p", { id: "export-result", role: "status" });
    const go = h("button", { type: "submit", id: "export-go" }, "Export");
    const cancel = h("button", { type: "button", id: "export-cancel", disabled: true }, "Cancel");
    cancel.addEventListener("click", () => {
      cancel.disabled = true;
      void api.cancelExport();
    });
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
      h("div", { class: "toolbar export-filters" }, ...filters.controls),
      go,
      cancel,
      progress,
      result,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!path.value.trim()) path.value = `${defaultDir()}/warden-export.${extension()}`;
      go.disabled = true;
      cancel.disabled = false;
      progress.value = 0;
      result.textContent = "Exporting…";
      result.className = "";
      api
        .exportAudit(format.value as ExportFormat, path.value.trim(), filters.value(), (done, total) => {
          progress.value = total ? done / total : 1;
        })
        .then(
          (s) => {
            progress.value = 1;
            result.textContent = `Exported ${s.rows} of ${s.total} generations to ${path.value.trim()}.`;
          },
          (e) => {
            const err = asApiError(e);
            progress.value = 0;
            result.textContent =
              err.code === "cancelled" ? "Export cancelled: no file was written." : err.message;
            result.className = err.code === "cancelled" ? "" : "error";
          },
        )
        .finally(() => {
          go.disabled = false;
          cancel.disabled = true;
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
