// The Chat screen: threads from the audit log, the conversation, the composer.
// Enter sends, Shift+Enter makes a new line, Esc stops the answer, Ctrl+K searches threads.

import { clear, h } from "./dom";
import {
  api,
  asApiError,
  LANGUAGES,
  PROMPT_STYLES,
  SAMPLING_PRESETS,
  type ConversationSummary,
  type ConversationTurn,
  type ModelInfo,
  type PromptStyle,
  type SamplingPreset,
  type VerdictSummary,
} from "./ipc";
import { highlight, marksFor } from "./spans";
import { TurnView } from "./turn";

export class ChatScreen {
  readonly el: HTMLElement;
  private readonly threadList: HTMLElement;
  private readonly threadSearch: HTMLInputElement;
  private threads: ConversationSummary[] = [];
  private readonly messages: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly stopBtn: HTMLButtonElement;
  private readonly regenBtn: HTMLButtonElement;
  private readonly styleSelect: HTMLSelectElement;
  private readonly langSelect: HTMLSelectElement;
  private readonly samplingSelect: HTMLSelectElement;
  private readonly modelSelect: HTMLSelectElement;
  /** The loaded model's file name, as the picker should show it. */
  private modelName: string | null = null;
  /** The settings' language pin: what a thread without its own choice starts with. */
  private defaultLanguage = "";
  private streaming = false;
  private activeThread: number | null = null;
  private lastPrompt: string | null = null;
  /** Recorded turns of the open thread not rendered yet (the oldest ones). */
  private earlier: ConversationTurn[] = [];

  /** `loadModel` loads a model with the app's status line and progress bar. */
  constructor(private readonly loadModel: (path: string) => Promise<ModelInfo | null> = async () => null) {
    this.threadList = h("ul", { class: "thread-list", "aria-label": "Threads" });
    const newBtn = h("button", { type: "button", class: "new-thread" }, "New thread");
    newBtn.addEventListener("click", () => void this.newThread());
    this.threadSearch = h("input", {
      type: "search",
      id: "thread-search",
      class: "thread-search",
      placeholder: "Search threads (Ctrl+K)",
      "aria-label": "Search threads",
    });
    this.threadSearch.addEventListener("input", () => this.renderThreads());
    this.threadSearch.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        const first = this.threadList.querySelector<HTMLButtonElement>("button[data-thread]");
        first?.click();
      } else if (e.key === "Escape") {
        this.threadSearch.value = "";
        this.renderThreads();
        this.input.focus();
      }
    });
    this.messages = h("div", { class: "messages", id: "messages" });
    this.messages.addEventListener("scroll", () => {
      if (this.messages.scrollTop < 600 && this.earlier.length > 0) this.renderEarlier();
    });
    this.input = h("textarea", {
      id: "prompt",
      rows: "3",
      placeholder: "Ask something — Enter sends, Shift+Enter adds a line, Esc stops",
      "aria-label": "Message",
    });
    this.sendBtn = h("button", { type: "submit", id: "send" }, "Send");
    this.stopBtn = h("button", { type: "button", id: "stop", hidden: true }, "Stop");
    this.regenBtn = h("button", { type: "button", id: "regenerate", disabled: true, title: "Ask the last prompt again" }, "Regenerate");
    this.regenBtn.addEventListener("click", () => void this.regenerate());
    // The thread's zero-shot prompt style (seed §5.2), remembered per thread on this machine.
    this.styleSelect = h("select", { id: "style", "aria-label": "Prompt style", title: "Prompt style for this thread" });
    for (const st of PROMPT_STYLES) this.styleSelect.appendChild(h("option", { value: st.name }, st.label));
    this.styleSelect.value = loadStyle(null);
    this.styleSelect.addEventListener("change", () => this.savePrefs());
    // The language pin (seed §5.2.3) and the sampling preset, remembered per thread likewise.
    this.langSelect = h("select", { id: "language", "aria-label": "Answer language", title: "Pin the answer's language for this thread" });
    for (const l of LANGUAGES) this.langSelect.appendChild(h("option", { value: l.code }, l.label));
    this.langSelect.addEventListener("change", () => this.savePrefs());
    this.samplingSelect = h("select", { id: "sampling", "aria-label": "Sampling", title: "Sampling preset for this thread" });
    for (const p of SAMPLING_PRESETS) this.samplingSelect.appendChild(h("option", { value: p.name }, p.label));
    this.samplingSelect.addEventListener("change", () => this.savePrefs());
    this.modelSelect = h("select", { id: "model-picker", "aria-label": "Model", title: "The model that answers" });
    this.modelSelect.addEventListener("change", () => void this.pickModel());
    this.loadPrefs(null);
    const form = h(
      "form",
      { class: "composer" },
      h("div", { class: "composer-options" }, this.modelSelect, this.styleSelect, this.langSelect, this.samplingSelect),
      this.input,
      h("div", { class: "composer-side" }, this.sendBtn, this.stopBtn, this.regenBtn),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        void this.send();
      }
    });
    this.stopBtn.addEventListener("click", () => void this.stop());
    this.el = h(
      "section",
      { class: "screen chat", "data-screen": "chat" },
      h("aside", { class: "threads" }, newBtn, this.threadSearch, this.threadList),
      h("div", { class: "conversation" }, this.messages, form),
    );
    this.emptyState();
  }

  /** Renders the newest page of `earlier` above what is shown, keeping the view in place. */
  private renderEarlier(): void {
    if (this.earlier.length === 0) return;
    const page = this.earlier.splice(Math.max(0, this.earlier.length - TURNS_PER_PAGE));
    const frag = document.createDocumentFragment();
    for (const t of page) {
      frag.appendChild(userBubble(t.prompt));
      frag.appendChild(TurnView.recorded(t.reasoning, t.answer, t.status, t.generation_id).el);
    }
    const fromBottom = this.messages.scrollHeight - this.messages.scrollTop;
    this.messages.insertBefore(frag, this.messages.firstChild);
    this.messages.scrollTop = this.messages.scrollHeight - fromBottom;
    this.messages.dataset.earlier = String(this.earlier.length);
  }

  /** Esc anywhere on the Chat screen stops the answer; Ctrl+K (Cmd+K) searches threads. */
  onKey(e: KeyboardEvent): void {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
      e.preventDefault();
      this.threadSearch.focus();
      this.threadSearch.select();
      return;
    }
    if (e.key === "Escape" && this.streaming) {
      e.preventDefault();
      void this.stop();
    }
  }

  async show(): Promise<void> {
    // The picker fills in when the folder has been read (GGUF headers): not on the way to an
    // interactive window.
    void this.refreshModels();
    await this.refreshThreads();
    this.input.focus();
  }

  /** The settings' language pin, for threads that have not chosen one. */
  setDefaultLanguage(code: string | null): void {
    this.defaultLanguage = code ?? "";
    this.loadPrefs(this.activeThread);
  }

  /** The model now loaded (from any screen): the picker follows. */
  setModel(fileName: string | null): void {
    this.modelName = fileName;
    this.showModel();
  }

  /** The models folder's GGUF files in the picker (a broken file is listed, disabled). */
  async refreshModels(): Promise<void> {
    let cards;
    try {
      cards = (await api.listModels()).models ?? [];
    } catch {
      return; // The Models screen says why; the picker keeps what it had.
    }
    clear(this.modelSelect);
    if (cards.length === 0) this.modelSelect.appendChild(h("option", { value: "" }, "No models in the folder"));
    for (const m of cards) {
      this.modelSelect.appendChild(
        h("option", { value: m.path, "data-file": m.file_name, disabled: m.error !== null }, m.file_name),
      );
    }
    this.showModel();
  }

  private showModel(): void {
    const opts = [...this.modelSelect.options];
    const at = opts.findIndex((o) => o.dataset.file === this.modelName);
    if (at >= 0) this.modelSelect.selectedIndex = at;
    else if (this.modelName && opts.length) {
      // Loaded from outside the folder: shown, not offered again.
      this.modelSelect.prepend(h("option", { value: "", "data-file": this.modelName, disabled: true }, this.modelName));
      this.modelSelect.selectedIndex = 0;
    }
  }

  private async pickModel(): Promise<void> {
    const path = this.modelSelect.value;
    if (!path) return;
    this.modelSelect.disabled = true;
    this.sendBtn.disabled = true;
    try {
      const m = await this.loadModel(path);
      if (m) this.modelName = m.file_name;
    } finally {
      this.modelSelect.disabled = false;
      this.sendBtn.disabled = false;
      this.showModel();
    }
  }

  async refreshThreads(): Promise<void> {
    try {
      this.threads = await api.listThreads();
    } catch (e) {
      clear(this.threadList);
      this.threadList.appendChild(h("li", { class: "error" }, asApiError(e).message));
      return;
    }
    this.renderThreads();
  }

  /** The threads whose title matches the search box (all words, any case). */
  private renderThreads(): void {
    const words = this.threadSearch.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = this.threads.filter((t) => {
      const title = (t.title || "").toLowerCase();
      return words.every((w) => title.includes(w));
    });
    clear(this.threadList);
    if (this.threads.length === 0) {
      this.threadList.appendChild(h("li", { class: "empty" }, "No threads yet."));
    } else if (shown.length === 0) {
      this.threadList.appendChild(h("li", { class: "empty" }, "No thread matches."));
    }
    for (const t of shown) {
      const btn = h("button", { type: "button", "data-thread": String(t.id) }, t.title || "(untitled)");
      if (t.id === this.activeThread) btn.setAttribute("aria-current", "true");
      btn.addEventListener("click", () => void this.openThread(t.id));
      this.threadList.appendChild(h("li", {}, btn));
    }
  }

  private emptyState(): void {
    clear(this.messages);
    this.messages.appendChild(
      h(
        "p",
        { class: "empty" },
        "Ask something. Every turn is checked by the guard and recorded in the audit log.",
      ),
    );
  }

  private async newThread(): Promise<void> {
    if (this.streaming) return;
    try {
      await api.newThread();
      this.activeThread = null;
      this.earlier = [];
      this.lastPrompt = null;
      this.regenBtn.disabled = true;
      this.loadPrefs(null);
      this.emptyState();
      await this.refreshThreads();
      this.input.focus();
    } catch (e) {
      this.messages.appendChild(h("p", { class: "error" }, asApiError(e).message));
    }
  }

  async openThread(id: number): Promise<void> {
    if (this.streaming) return;
    try {
      const t0 = performance.now();
      const turns = await api.openThread(id);
      this.activeThread = id;
      this.loadPrefs(id);
      clear(this.messages);
      // A long thread opens on its newest turns; older ones are added in pages as the reader
      // scrolls up, so opening costs the same for 10 messages or 10,000.
      this.earlier = turns;
      this.renderEarlier();
      this.messages.scrollTop = this.messages.scrollHeight;
      // How long opening took (fetch, render, layout and the first paint), for the e2e figures.
      const painted = () => (this.messages.dataset.openMs = String(Math.max(1, Math.round(performance.now() - t0))));
      requestAnimationFrame(() => requestAnimationFrame(painted));
      this.lastPrompt = turns.length > 0 ? turns[turns.length - 1].prompt : null;
      this.regenBtn.disabled = this.lastPrompt === null;
      await this.refreshThreads();
    } catch (e) {
      this.messages.appendChild(h("p", { class: "error" }, asApiError(e).message));
    }
  }

  async send(): Promise<void> {
    const text = this.input.value.trim();
    if (!text || this.streaming) return;
    this.input.value = "";
    await this.ask(text);
  }

  /** Asks the last prompt again, as a new turn of the thread. */
  async regenerate(): Promise<void> {
    if (this.lastPrompt === null || this.streaming) return;
    await this.ask(this.lastPrompt);
  }

  private async ask(text: string): Promise<void> {
    if (this.messages.querySelector(".empty")) clear(this.messages);
    this.lastPrompt = text;
    const bubble = userBubble(text);
    this.messages.appendChild(bubble);
    const turn = new TurnView();
    this.messages.appendChild(turn.el);
    this.setStreaming(true);
    try {
      const options = {
        style: this.styleSelect.value as PromptStyle,
        language: this.langSelect.value,
        sampling: this.samplingSelect.value as SamplingPreset,
      };
      const summary = await api.sendMessage(
        text,
        (ev) => {
          if ((ev.type === "verdict" || ev.type === "blocked") && ev.stage === "input") markPrompt(bubble, text, ev);
          turn.handle(ev);
          this.messages.scrollTop = this.messages.scrollHeight;
        },
        options,
      );
      this.activeThread = summary.conversation_id;
      this.savePrefs();
    } catch (e) {
      const err = asApiError(e);
      turn.fail(err.code, err.message);
    } finally {
      this.setStreaming(false);
      void this.refreshThreads();
    }
  }

  private async stop(): Promise<void> {
    try {
      await api.cancel();
    } catch {
      // Nothing to stop.
    }
  }

  private savePrefs(): void {
    savePref(STYLE_KEY, this.activeThread, this.styleSelect.value);
    savePref(LANG_KEY, this.activeThread, this.langSelect.value);
    savePref(SAMPLING_KEY, this.activeThread, this.samplingSelect.value);
  }

  private loadPrefs(thread: number | null): void {
    this.styleSelect.value = loadStyle(thread);
    const lang = loadPref(LANG_KEY, thread);
    this.langSelect.value = lang !== null && LANGUAGES.some((l) => l.code === lang) ? lang : this.defaultLanguage;
    if (this.langSelect.selectedIndex < 0) this.langSelect.value = "";
    const sampling = loadPref(SAMPLING_KEY, thread);
    this.samplingSelect.value = SAMPLING_PRESETS.some((p) => p.name === sampling) ? (sampling as string) : "recommended";
  }

  private setStreaming(on: boolean): void {
    this.streaming = on;
    this.sendBtn.hidden = on;
    this.stopBtn.hidden = !on;
    this.regenBtn.disabled = on || this.lastPrompt === null;
    this.el.dataset.streaming = String(on);
    if (!on) this.input.focus();
  }
}

const STYLE_KEY = "warden.style.";
const LANG_KEY = "warden.language.";
const SAMPLING_KEY = "warden.sampling.";
/** Turns rendered at once when a thread opens, and per page when scrolling back. */
export const TURNS_PER_PAGE = 40;

/** A thread's style; a new thread (`null`) starts with the style last chosen for one. */
export function loadStyle(thread: number | null): PromptStyle {
  const v = loadPref(STYLE_KEY, thread);
  return PROMPT_STYLES.some((s) => s.name === v) ? (v as PromptStyle) : "plain";
}

function loadPref(key: string, thread: number | null): string | null {
  try {
    return localStorage.getItem(key + (thread ?? "new"));
  } catch {
    return null;
  }
}

function savePref(key: string, thread: number | null, value: string): void {
  try {
    localStorage.setItem(key + (thread ?? "new"), value);
  } catch {
    // Storage unavailable: the choice lasts until the window closes.
  }
}

/** The input guard's spans, marked in the prompt's bubble. */
function markPrompt(bubble: HTMLElement, text: string, v: VerdictSummary): void {
  const body = bubble.querySelector(".user-text");
  const marks = marksFor(text, v.spans, `${v.categories.join(", ")} · ${v.action}`, v.action);
  if (!body || marks.length === 0) return;
  clear(body);
  body.appendChild(highlight(text, marks));
}

function userBubble(text: string): HTMLElement {
  return h("article", { class: "turn user" }, h("div", { class: "user-text" }, text));
}
