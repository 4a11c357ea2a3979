// Typed calls to the app's commands (src-tauri). Every command rejects with `{ code, message }`.

import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export interface ApiError {
  code: string;
  message: string;
}

/** Whatever a rejected invoke carried, as an ApiError. */
export function asApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    return { code: String(e.code), message: String(e.message) };
  }
  return { code: "internal", message: String(e) };
}

export interface VerdictSummary {
  stage: "input" | "reasoning" | "output";
  action: "flag" | "redact" | "block" | "allow";
  categories: string[];
  spans: [number, number][];
  message: string | null;
}

export interface GenerationStats {
  prompt_tokens: number;
  generated_tokens: number;
  ttft_ms: number;
  generation_tps: number;
  stop_reason: string | null;
}

export type GenerationEvent =
  | { type: "started"; generation_id: number }
  | { type: "reasoning"; text: string }
  | { type: "token"; text: string }
  | ({ type: "verdict" } & VerdictSummary)
  | ({ type: "blocked" } & VerdictSummary)
  | { type: "redacted"; text: string }
  | { type: "done"; generation_id: number; stats: GenerationStats }
  | { type: "error"; code: string; message: string };

export interface ModelInfo {
  file_name: string;
  architecture: string | null;
  parameters: number;
  quantization: string | null;
  context: number;
  threads?: number;
  gpu_layers?: number;
  template: string;
}

/** How to load a model (`LoadOptions` in Rust); what is left out keeps the settings'. */
export interface LoadOptions {
  gpu_layers?: number;
  threads?: number;
  context?: number;
}

export interface AppInfo {
  version: string;
  model: ModelInfo | null;
  default_model: string;
  db_path: string;
  startup_error: ApiError | null;
}

export interface TurnSummary {
  generation_id: number;
  status: string;
  conversation_id: number | null;
}

export interface ConversationSummary {
  id: number;
  title: string;
  created_at: number;
  updated_at: number;
  turns: number;
}

export interface ConversationTurn {
  generation_id: number;
  turn_index: number;
  prompt: string;
  reasoning: string;
  answer: string;
  status: string;
  created_at: number;
}

export interface Filter {
  flagged?: boolean;
  review_status?: string;
  category?: string;
  stage?: string;
  action?: string;
  model?: string;
  /** Unix milliseconds, inclusive. */
  from?: number;
  /** Unix milliseconds, exclusive. */
  to?: number;
  text?: string;
}

export interface GenerationSummary {
  id: number;
  conversation_id: number | null;
  created_at: number;
  model_name: string;
  status: string;
  stop_reason: string | null;
  prompt_preview: string;
  answer_preview: string;
  flagged: boolean;
  review_status: string;
  categories: string[];
  worst_action: string | null;
}

export interface GuardEvent {
  stage: string;
  scanner: string;
  category: string;
  score: number;
  action: string;
  spans: { start: number; end: number }[];
}

export interface GenerationDetail {
  id: number;
  prompt: string;
  reasoning: string;
  answer: string;
  status: string;
  stop_reason: string | null;
  model_name: string;
  created_at: number;
  flagged: boolean;
  review_status: string;
  guard_events: GuardEvent[];
}

/** What walking the audit log's hash chain found (`VerifyReport` in Rust). */
export interface VerifyReport {
  ok: boolean;
  entries: number;
  generations: number;
  reviews: number;
  checkpoints: number;
  head: { seq: number; hash: string } | null;
  pruned_through: number | null;
  first_break: { problem: string; seq: number | null; table: string; row_id: number | null; message: string } | null;
}

export type RamFit = "fits" | "tight" | "too_big" | "unknown";

export interface ModelCard {
  path: string;
  file_name: string;
  size: number;
  architecture: string | null;
  parameters: number;
  quantization: string | null;
  context_length: number | null;
  has_chat_template: boolean;
  estimate_context: number;
  ram_estimate: number;
  /** KV-cache bytes per position of context: the estimate for another context follows. */
  kv_bytes_per_token: number;
  ram_total: number | null;
  fit: RamFit;
  error: string | null;
  is_default: boolean;
}

export interface ModelsView {
  models_dir: string;
  ram_total: number | null;
  models: ModelCard[];
}

export type Action = "allow" | "flag" | "redact" | "block";

export interface PolicyRow {
  code: string;
  name: string;
  input: Action;
  reasoning: Action;
  output: Action;
}

export interface PolicyView {
  source: string | null;
  version: string;
  block_message: string;
  /** Categories with their own block message (a blocked self-harm request gets help). */
  block_messages: { code: string; message: string }[];
  fail_mode: string;
  rows: PolicyRow[];
}

export interface EffectiveSettings {
  db_path: string;
  data_dir: string;
  models_dir: string;
  model_path: string;
  context: number;
  threads: number;
  gpu_layers: number;
  retention_days: number | null;
  classifier_enabled: boolean;
  classifier_dir: string;
  language: string | null;
  policy: PolicyView | null;
  policy_error: string | null;
}

export interface Count {
  key: string;
  count: number;
}

export interface DayCount {
  day: string;
  count: number;
  /** Flagged by a person. */
  flagged: number;
  /** With a guard verdict other than allow. */
  guarded: number;
  /** Flagged by the language check. */
  language_mixed: number;
}

export interface AuditStats {
  total: number;
  flagged: number;
  flag_rate: number;
  by_status: Count[];
  by_review_status: Count[];
  by_category: Count[];
  by_action: Count[];
  by_stage: Count[];
  by_day: DayCount[];
  by_day_category: { day: string; category: string; count: number }[];
  by_stage_action: { stage: string; action: string; count: number }[];
}

export type ReviewStatus = "ok" | "harmful" | "needs-fix";

/** Zero-shot prompt styles (seed §5.2); names as `warden_core::PromptStyle` serializes them. */
export type PromptStyle = "plain" | "step-by-step" | "json" | "markdown";
export const PROMPT_STYLES: { name: PromptStyle; label: string }[] = [
  { name: "plain", label: "Plain" },
  { name: "step-by-step", label: "Step by step" },
  { name: "json", label: "JSON output" },
  { name: "markdown", label: "Markdown / tables" },
];
export type SamplingPreset = "recommended" | "precise" | "deterministic";
export const SAMPLING_PRESETS: { name: SamplingPreset; label: string }[] = [
  { name: "recommended", label: "R1 recommended" },
  { name: "precise", label: "Precise (temp 0.3)" },
  { name: "deterministic", label: "Deterministic" },
];
/** Output-language pins offered in the chat ("" = no pin). */
export const LANGUAGES: { code: string; label: string }[] = [
  { code: "", label: "Any language" },
  { code: "en", label: "English" },
  { code: "es", label: "Español" },
  { code: "fr", label: "Français" },
  { code: "de", label: "Deutsch" },
  { code: "pt", label: "Português" },
  { code: "ru", label: "Русский" },
  { code: "zh", label: "中文" },
  { code: "ja", label: "日本語" },
  { code: "ar", label: "العربية" },
  { code: "hi", label: "हिन्दी" },
];

/** A thread's own choices for a turn (`TurnOptions` in Rust). */
export interface TurnOptions {
  style?: PromptStyle;
  /** A language code; "" turns the settings' pin off; absent keeps it. */
  language?: string;
  sampling?: SamplingPreset;
}
/** What the Settings screen changed (`SettingsUpdate` in Rust); absent fields stay as they are. */
export interface SettingsUpdate {
  data_dir?: string;
  db_path?: string;
  /** 0: keep records forever. */
  retention_days?: number;
  /** "": no pin. */
  language?: string;
  policy?: { stage: string; category: string; action: Action }[];
}

export interface SaveSettingsResult {
  saved: { config_file: string; policy_file: string | null };
  next_start: EffectiveSettings;
}
export type ExportFormat = "jsonl" | "csv" | "sft" | "preference";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  loadModel: (path?: string, options?: LoadOptions) =>
    invoke<ModelInfo>("load_model", { path: path ?? null, options: options ?? null }),
  sendMessage(text: string, onEvent: (e: GenerationEvent) => void, options: TurnOptions = {}): Promise<TurnSummary> {
    const channel = new Channel<GenerationEvent>();
    channel.onmessage = onEvent;
    return invoke<TurnSummary>("send_message", { text, options, onEvent: channel });
  },
  listModels: () => invoke<ModelsView>("list_models"),
  effectiveSettings: () => invoke<EffectiveSettings>("effective_settings"),
  saveSettings: (update: SettingsUpdate) => invoke<SaveSettingsResult>("save_settings", { update }),
  auditStats: () => invoke<AuditStats>("audit_stats"),
  cancel: () => invoke<boolean>("cancel"),
  newThread: () => invoke<void>("new_thread"),
  listThreads: () => invoke<ConversationSummary[]>("list_threads"),
  openThread: (id: number) => invoke<ConversationTurn[]>("open_thread", { id }),
  /** Newest first; `before` (an id) gives the page after one already shown. */
  auditList: (filter: Filter, limit = 200, before: number | null = null) =>
    invoke<GenerationSummary[]>("audit_list", { filter, page: { limit, offset: 0, before } }),
  auditShow: (id: number) => invoke<GenerationDetail>("audit_show", { id }),
  auditFlag: (id: number, reason: string) => invoke<number>("audit_flag", { id, reason }),
  auditReview: (id: number, status: ReviewStatus, note?: string, correctedAnswer?: string) =>
    invoke<number>("audit_review", {
      id,
      input: { status, note: note || null, corrected_answer: correctedAnswer || null },
    }),
  /** Walks the hash chain; `onProgress(entries checked, entries in the chain)` meanwhile. */
  auditVerify(onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
    const channel = new Channel<{ done: number; total: number }>();
    channel.onmessage = (p) => onProgress?.(p.done, p.total);
    return invoke<VerifyReport>("audit_verify", { onProgress: channel });
  },
  exportAudit(
    format: ExportFormat,
    path: string,
    filter: Filter,
    onProgress: (done: number, total: number) => void,
  ): Promise<{ rows: number; total: number }> {
    const channel = new Channel<{ done: number; total: number }>();
    channel.onmessage = (p) => onProgress(p.done, p.total);
    return invoke("export", { format, path, filter, onProgress: channel });
  },
  /** Stops the running export (it then fails with code `cancelled`, leaving no file). */
  cancelExport: () => invoke<void>("cancel_export"),
  /** Copies a GGUF into the models folder (checked first); resolves to its new path. */
  importModel(path: string, onProgress: (done: number, total: number) => void): Promise<string> {
    const channel = new Channel<{ done: number; total: number }>();
    channel.onmessage = (p) => onProgress(p.done, p.total);
    return invoke<string>("import_model", { path, onProgress: channel });
  },
};

export function onLoadProgress(cb: (fraction: number) => void): Promise<UnlistenFn> {
  return listen<{ fraction: number }>("model-load-progress", (e) => cb(e.payload.fraction));
}
