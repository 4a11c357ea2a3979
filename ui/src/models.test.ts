import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { estimateFor, fitAdvice, ModelsScreen, params } from "./models";
import type { ApiError, LoadOptions, ModelCard, ModelInfo } from "./ipc";

const GIB = 2 ** 30;
const gemma: ModelCard = {
  path: "/m/gemma-3-270m-q4_k_m.gguf",
  file_name: "gemma-3-270m-q4_k_m.gguf",
  size: 253_113_024,
  architecture: "gemma3",
  parameters: 268_098_176,
  quantization: "Q4_K_M",
  context_length: 32768,
  has_chat_template: false,
  estimate_context: 4096,
  ram_estimate: GIB / 2,
  kv_bytes_per_token: 2 ** 16,
  ram_total: 24 * GIB,
  fit: "fits",
  error: null,
  is_default: true,
};
const broken: ModelCard = { ...gemma, path: "/m/<b>x</b>.gguf", file_name: "<b>x</b>.gguf", architecture: null, error: "bad magic", fit: "unknown", is_default: false };

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

type Load = (p: string, o?: LoadOptions, onError?: (e: ApiError) => void) => Promise<ModelInfo | null>;
function mount(models: ModelCard[], load: Load = async () => null) {
  mockIPC((cmd) => {
    if (cmd === "list_models") return { models_dir: "/m", ram_total: 24 * GIB, models };
    if (cmd === "effective_settings") return { context: 4096, threads: 2, gpu_layers: 0 };
    throw { code: "internal", message: `unexpected ${cmd}` };
  });
  const s = new ModelsScreen(load);
  document.body.appendChild(s.el);
  return s;
}

test("each model shows its GGUF facts and a RAM estimate, labelled as one", async () => {
  const s = mount([gemma, broken]);
  await s.show();
  const row = s.el.querySelector("tr[data-file='gemma-3-270m-q4_k_m.gguf']")!;
  expect(row.textContent).toContain("gemma3");
  expect(row.textContent).toContain("268M");
  expect(row.textContent).toContain("Q4_K_M");
  expect(row.textContent).toContain("32768");
  expect(row.textContent).toContain("default");
  expect(row.querySelector(".fit")?.textContent).toBe("~0.50 GiB of 24.00 GiB at 4096 ctx (estimate): fits in RAM");
  expect(s.el.querySelector("#models-folder")?.textContent).toBe("Folder: /m · system RAM 24.00 GiB · RAM figures are rough estimates (file size + KV cache).");
  // A broken file: its error, no Load, and its name stays text.
  const bad = s.el.querySelector("tr[data-file='<b>x</b>.gguf']")!;
  expect(bad.querySelector(".error")?.textContent).toBe("bad magic");
  expect(bad.querySelector("b")).toBeNull();
  expect((bad.querySelector("button.load") as HTMLButtonElement).disabled).toBe(true);
});

test("Load goes through the shared load path with the file's path and the load options", async () => {
  const loaded: [string, LoadOptions | undefined][] = [];
  const s = mount([gemma], async (p, o) => {
    loaded.push([p, o]);
    return { file_name: gemma.file_name, architecture: "gemma3", parameters: 1, quantization: "Q4_K_M", context: o?.context ?? 4096, threads: 1, gpu_layers: 0, template: "gemma" };
  });
  await s.show();
  await new Promise((r) => setTimeout(r, 0));
  // The settings' values fill the fields.
  const field = (id: string) => s.el.querySelector(id) as HTMLInputElement;
  expect([field("#load-gpu-layers").value, field("#load-threads").value, field("#load-context").value]).toEqual(["0", "2", "4096"]);
  field("#load-threads").value = "1";
  field("#load-context").value = "512";
  field("#load-gpu-layers").value = "";
  const btn = s.el.querySelector("button.load") as HTMLButtonElement;
  expect(btn.getAttribute("aria-label")).toBe("Load gemma-3-270m-q4_k_m.gguf");
  btn.click();
  await new Promise((r) => setTimeout(r, 0));
  expect(loaded).toEqual([[gemma.path, { gpu_layers: undefined, threads: 1, context: 512 }]]);
  expect(s.el.querySelector("#models-note")?.textContent).toBe("Loaded gemma-3-270m-q4_k_m.gguf (context 512, 1 thread, CPU).");
  expect(btn.disabled).toBe(false);
  // Reopening the screen keeps what was typed.
  await s.show();
  expect(field("#load-context").value).toBe("512");
});

test("a refused load says why in the screen", async () => {
  const s = mount([gemma], async (_p, _o, onError) => {
    onError?.({ code: "load_options_invalid", message: "context 100 is out of range: 0 (the model's) or 256 to 1048576 tokens" });
    return null;
  });
  await s.show();
  (s.el.querySelector("button.load") as HTMLButtonElement).click();
  await new Promise((r) => setTimeout(r, 0));
  expect(s.el.querySelector("#models-note")?.textContent).toBe(
    "Could not load gemma-3-270m-q4_k_m.gguf: context 100 is out of range: 0 (the model's) or 256 to 1048576 tokens.",
  );
});

test("an empty folder says where GGUF files go and how to fetch the default", async () => {
  const s = mount([]);
  await s.show();
  const empty = s.el.querySelector("#models-empty")!;
  expect(empty.textContent).toContain("No GGUF models in /m.");
  expect(empty.textContent).toContain("warden models fetch-default");
});

test("a failed listing shows the error", async () => {
  mockIPC(() => {
    throw { code: "models_unreadable", message: "cannot list /m: denied" };
  });
  const s = new ModelsScreen(async () => null);
  await s.show();
  expect(s.el.querySelector("[role='alert']")?.textContent).toBe("cannot list /m: denied");
});

test("advice and parameter counts read well", () => {
  expect(params(7_615_616_512)).toBe("7.6B");
  expect(fitAdvice({ ...gemma, fit: "too_big", ram_total: null })).toBe("~0.50 GiB at 4096 ctx (estimate): likely too big for this machine's RAM");
  expect(fitAdvice(broken)).toBe("unusable file");
});

test("Import GGUF… picks a file with the dialog, imports it with progress and lists it", async () => {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  let models: ModelCard[] = [];
  const seen: number[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    if (cmd === "list_models") return { models_dir: "/m", ram_total: 24 * GIB, models };
    if (cmd === "plugin:dialog|open") return "/home/me/Downloads/gemma-3-270m-q4_k_m.gguf";
    if (cmd === "import_model") {
      const ch = args.onProgress as { onmessage: (p: { done: number; total: number }) => void };
      ch.onmessage({ done: 1, total: 2 });
      seen.push((document.querySelector("#models-import-progress") as HTMLProgressElement).value);
      ch.onmessage({ done: 2, total: 2 });
      models = [gemma];
      return "/m/gemma-3-270m-q4_k_m.gguf";
    }
    throw { code: "internal", message: `unexpected ${cmd}` };
  });
  const s = new ModelsScreen(async () => null);
  document.body.appendChild(s.el);
  await s.show();
  (s.el.querySelector("#models-import") as HTMLButtonElement).click();
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  const open = calls.find((c) => c.cmd === "plugin:dialog|open")!;
  expect((open.args.options as { filters: { extensions: string[] }[] }).filters[0].extensions).toEqual(["gguf"]);
  expect(calls.find((c) => c.cmd === "import_model")?.args.path).toBe("/home/me/Downloads/gemma-3-270m-q4_k_m.gguf");
  expect(seen).toEqual([0.5]);
  expect(s.el.querySelector("#models-note")?.textContent).toContain("Imported to /m/gemma-3-270m-q4_k_m.gguf");
  expect(s.el.querySelector("tr[data-file='gemma-3-270m-q4_k_m.gguf']")).not.toBeNull();
  expect((s.el.querySelector("#models-import-progress") as HTMLProgressElement).hidden).toBe(true);
});

test("a file that is not a GGUF is refused with the core's code", async () => {
  mockIPC((cmd) => {
    if (cmd === "list_models") return { models_dir: "/m", ram_total: null, models: [] };
    if (cmd === "import_model") throw { code: "model_invalid", message: "/tmp/notes.gguf is not a usable GGUF file: bad magic" };
    throw { code: "internal", message: `unexpected ${cmd}` };
  });
  const s = new ModelsScreen(async () => null);
  document.body.appendChild(s.el);
  await s.importFile("/tmp/notes.gguf");
  const note = s.el.querySelector("#models-note") as HTMLElement;
  expect(note.dataset.code).toBe("model_invalid");
  expect(note.textContent).toContain("not a usable GGUF");
});

test("the RAM advice follows the context typed for the next load", async () => {
  // 64 KiB of KV cache per position: 4096 → 512 positions saves 224 MiB; 32768 adds 1.75 GiB.
  expect(estimateFor(gemma, 512).bytes).toBe(GIB / 2 - 3584 * 2 ** 16);
  expect(estimateFor(gemma, 1 << 20).context).toBe(32768); // capped by the model's
  expect(estimateFor(gemma, 0)).toEqual({ context: 4096, bytes: GIB / 2, fit: "fits" });
  const huge = { ...gemma, kv_bytes_per_token: 2 ** 20, ram_total: 16 * GIB };
  expect(estimateFor(huge, 16384).fit).toBe("tight");
  expect(estimateFor(huge, 32768).fit).toBe("too_big");
  const s = mount([gemma]);
  await s.show();
  await new Promise((r) => setTimeout(r, 0));
  const ctx = s.el.querySelector("#load-context") as HTMLInputElement;
  ctx.value = "32768";
  ctx.dispatchEvent(new Event("input"));
  expect(s.el.querySelector("tr[data-file='gemma-3-270m-q4_k_m.gguf'] td.fit")?.textContent).toBe(
    "~2.25 GiB of 24.00 GiB at 32768 ctx (estimate): fits in RAM",
  );
});
