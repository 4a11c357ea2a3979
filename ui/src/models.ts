// The Models screen: the GGUF files in the models folder, their header facts (read in Rust, as
// `warden models list` does), a RAM estimate against the machine's RAM, and a Load button that
// uses the app's one load path (status line + progress bar in the header).

import { open } from "@tauri-apps/plugin-dialog";
import { append, clear, h } from "./dom";
import { api, asApiError, type ApiError, type LoadOptions, type ModelCard, type ModelInfo, type RamFit } from "./ipc";

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

export function params(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${Math.round(n / 1e6)}M`;
  return String(n);
}

const FIT_TEXT: Record<RamFit, string> = {
  fits: "fits in RAM",
  tight: "tight: little RAM left",
  too_big: "likely too big for this machine's RAM",
  unknown: "RAM fit unknown",
};

/**
 * The card's estimate redone for `context` (as typed for the next load; 0 or empty keeps the
 * card's): the same file + KV cache + buffers the core computes, with the KV part scaled.
 */
export function estimateFor(m: ModelCard, context?: number): { context: number; bytes: number; fit: RamFit } {
  if (!context || m.error) return { context: m.estimate_context, bytes: m.ram_estimate, fit: m.fit };
  const ctx = m.context_length ? Math.min(context, m.context_length) : context;
  const bytes = m.ram_estimate + m.kv_bytes_per_token * (ctx - m.estimate_context);
  const total = m.ram_total;
  const fit: RamFit = !total ? "unknown" : bytes > total ? "too_big" : bytes * 10 > total * 7 ? "tight" : "fits";
  return { context: ctx, bytes, fit };
}

/** The advice line for one model: its estimate, the machine's RAM and the verdict. */
export function fitAdvice(m: ModelCard, context?: number): string {
  if (m.error) return "unusable file";
  const e = estimateFor(m, context);
  const total = m.ram_total ? ` of ${gib(m.ram_total)}` : "";
  return `~${gib(e.bytes)}${total} at ${e.context} ctx (estimate): ${FIT_TEXT[e.fit]}`;
}

export class ModelsScreen {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly folder: HTMLElement;
  private readonly note: HTMLElement;
  private readonly importBtn: HTMLButtonElement;
  private readonly importProgress: HTMLProgressElement;
  private busy = false;
  private readonly gpuLayers: HTMLInputElement;
  private readonly threads: HTMLInputElement;
  private readonly context: HTMLInputElement;
  private defaultsShown = false;

  /** `load` loads a model through the app's shared load path; null when it failed. */
  constructor(
    private readonly load: (path: string, options?: LoadOptions, onError?: (e: ApiError) => void) => Promise<ModelInfo | null>,
  ) {
    const num = (id: string, min: string, max: string, title: string) =>
      h("input", { type: "number", id, min, max, step: "1", inputmode: "numeric", title });
    this.gpuLayers = num("load-gpu-layers", "0", "1000", "Layers offloaded to the GPU; 0 runs on the CPU (needs a CUDA or Vulkan build)");
    this.threads = num("load-threads", "0", "512", "CPU threads; 0 uses all cores");
    this.context = num("load-context", "0", "1048576", "Context window in tokens; 0 takes the model's, capped");
    this.context.addEventListener("input", () => this.refit());
    this.body = h("div", { class: "models-body", "aria-live": "polite" });
    this.folder = h("p", { class: "hint", id: "models-folder" });
    this.note = h("p", { class: "hint", id: "models-note", role: "status" });
    this.importBtn = h("button", { type: "button", id: "models-import" }, "Import GGUF…");
    this.importBtn.addEventListener("click", () => void this.pickAndImport());
    this.importProgress = h("progress", { id: "models-import-progress", max: "1", value: "0", hidden: true });
    this.el = h(
      "section",
      { class: "screen models", "data-screen": "models", hidden: true },
      h("h2", {}, "Models"),
      h("div", { class: "models-actions" }, this.importBtn, this.importProgress),
      h(
        "fieldset",
        { class: "load-options" },
        h("legend", {}, "Load with"),
        h("label", {}, "GPU layers ", this.gpuLayers),
        h("label", {}, "Threads ", this.threads),
        h("label", {}, "Context ", this.context),
      ),
      this.folder,
      this.note,
      this.body,
    );
  }

  /** Asks for a .gguf with the system's file dialog, then imports it. */
  private async pickAndImport(): Promise<void> {
    let picked: string | null;
    try {
      picked = await open({ multiple: false, directory: false, filters: [{ name: "GGUF model", extensions: ["gguf"] }] });
    } catch (e) {
      this.note.textContent = asApiError(e).message;
      return;
    }
    if (picked) await this.importFile(picked);
  }

  /** Copies `path` into the models folder (the core checks the GGUF first), with progress. */
  async importFile(path: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.importBtn.disabled = true;
    this.importProgress.hidden = false;
    this.importProgress.value = 0;
    this.note.className = "hint";
    this.note.textContent = `Importing ${path}…`;
    try {
      const dest = await api.importModel(path, (done, total) => {
        this.importProgress.value = total ? done / total : 1;
      });
      this.note.textContent = `Imported to ${dest}.`;
      this.busy = false;
      await this.show();
    } catch (e) {
      const err = asApiError(e);
      this.note.textContent = err.message;
      this.note.className = "hint error";
      this.note.dataset.code = err.code;
    } finally {
      this.busy = false;
      this.importBtn.disabled = false;
      this.importProgress.hidden = true;
    }
  }

  /** The load options as typed; an empty field keeps the setting. */
  loadOptions(): LoadOptions {
    const v = (el: HTMLInputElement) => (el.value.trim() === "" ? undefined : Number(el.value));
    return { gpu_layers: v(this.gpuLayers), threads: v(this.threads), context: v(this.context) };
  }

  async show(): Promise<void> {
    if (!this.defaultsShown) {
      // The settings' values, once: later edits stay as typed.
      this.defaultsShown = true;
      api.effectiveSettings().then(
        (s) => {
          if (this.gpuLayers.value === "") this.gpuLayers.value = String(s.gpu_layers);
          if (this.threads.value === "") this.threads.value = String(s.threads);
          if (this.context.value === "") this.context.value = String(s.context);
          this.refit();
        },
        () => (this.defaultsShown = false),
      );
    }
    clear(this.body);
    this.body.appendChild(h("p", { class: "loading" }, "Reading the models folder…"));
    try {
      const view = await api.listModels();
      clear(this.body);
      this.folder.textContent = `Folder: ${view.models_dir}${view.ram_total ? ` · system RAM ${gib(view.ram_total)}` : ""} · RAM figures are rough estimates (file size + KV cache).`;
      if (view.models.length === 0) {
        append(
          this.body,
          h(
            "div",
            { class: "empty", id: "models-empty" },
            h("p", {}, `No GGUF models in ${view.models_dir}.`),
            h("p", {}, "Copy .gguf files into that folder, or fetch the default model (Gemma 3 270M) with:"),
            h("pre", {}, "warden models fetch-default"),
          ),
        );
        return;
      }
      this.body.appendChild(this.table(view.models));
      this.refit();
    } catch (e) {
      clear(this.body);
      this.body.appendChild(h("p", { class: "error", role: "alert" }, asApiError(e).message));
    }
  }

  private cards: ModelCard[] = [];

  /** The RAM advice again, for the context typed. */
  private refit(): void {
    const ctx = Number(this.context.value) || undefined;
    for (const m of this.cards) {
      const cell = this.el.querySelector(`tr[data-file="${CSS.escape(m.file_name)}"] td.fit`);
      if (!cell) continue;
      cell.textContent = fitAdvice(m, ctx);
      cell.className = `fit ${estimateFor(m, ctx).fit}`;
    }
  }

  private table(models: ModelCard[]): HTMLElement {
    this.cards = models;
    const head = ["File", "Architecture", "Parameters", "Quantization", "Context", "Chat template", "Size", "RAM (estimate)", ""];
    return h(
      "table",
      { class: "models-table" },
      h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...models.map((m) => this.row(m))),
    );
  }

  private row(m: ModelCard): HTMLElement {
    const btn = h("button", { type: "button", class: "load", disabled: m.error !== null }, "Load");
    btn.setAttribute("aria-label", `Load ${m.file_name}`);
    btn.addEventListener("click", () => void this.loadOne(m, btn));
    const cells = m.error
      ? [h("td", { colspan: "5", class: "error" }, m.error)]
      : [
          h("td", { class: "arch" }, m.architecture ?? "?"),
          h("td", {}, params(m.parameters)),
          h("td", {}, m.quantization ?? "?"),
          h("td", {}, m.context_length === null ? "?" : String(m.context_length)),
          h("td", {}, m.has_chat_template ? "yes" : "no (built-in fallback)"),
        ];
    return h(
      "tr",
      { "data-file": m.file_name },
      h("td", { class: "file" }, m.file_name, m.is_default ? h("span", { class: "badge" }, "default") : null),
      ...cells,
      h("td", {}, gib(m.size)),
      h("td", { class: `fit ${m.fit}` }, fitAdvice(m)),
      h("td", {}, btn),
    );
  }

  private async loadOne(m: ModelCard, btn: HTMLButtonElement): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const buttons = this.el.querySelectorAll<HTMLButtonElement>("button.load");
    buttons.forEach((b) => (b.disabled = true));
    this.note.textContent = `Loading ${m.file_name}…`;
    try {
      let why = "see the status line";
      const info = await this.load(m.path, this.loadOptions(), (e) => (why = e.message));
      this.note.textContent = info ? loadedText(info) : `Could not load ${m.file_name}: ${why}.`;
    } finally {
      this.busy = false;
      buttons.forEach((b) => (b.disabled = b.closest("tr")?.querySelector("td.error") !== null));
      btn.focus();
    }
  }
}

/** What a load gave: the model and what it runs with. */
export function loadedText(m: ModelInfo): string {
  const parts = [`context ${m.context}`];
  if (m.threads !== undefined) parts.push(`${m.threads} thread${m.threads === 1 ? "" : "s"}`);
  if (m.gpu_layers !== undefined) parts.push(m.gpu_layers > 0 ? `${m.gpu_layers} GPU layers` : "CPU");
  return `Loaded ${m.file_name} (${parts.join(", ")}).`;
}
