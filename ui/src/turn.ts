// One assistant turn in the chat: the collapsible reasoning panel, the answer, guard badges,
// and the block / error notices. Streaming text is batched per animation frame.

import { FrameBatcher, type Schedule } from "./batch";
import { clear, h } from "./dom";
import { api, asApiError, type GenerationEvent, type VerdictSummary } from "./ipc";
import { renderMarkdown } from "./markdown";
import { highlight, markRendered, marksFor, placeholderMarks, type Mark } from "./spans";

/** A guard finding with spans, kept to mark them in the text of its stage. */
interface Hit {
  stage: string;
  spans: [number, number][];
  label: string;
  action: string;
}

export class TurnView {
  readonly el: HTMLElement;
  private readonly reasoningPanel: HTMLDetailsElement;
  private readonly reasoningLabel: HTMLElement;
  private readonly reasoningBody: HTMLElement;
  private readonly answerEl: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly actions: HTMLElement;
  private reasoning = "";
  private answer = "";
  private readonly reasoningBatch: FrameBatcher;
  private readonly answerBatch: FrameBatcher;
  private finished = false;
  private hits: Hit[] = [];
  private redacted = false;

  constructor(schedule?: Schedule) {
    this.reasoningLabel = h("span", { class: "thinking" }, "thinking…");
    this.reasoningBody = h("div", { class: "reasoning-body" });
    this.reasoningPanel = h(
      "details",
      { class: "reasoning", hidden: true },
      h("summary", {}, this.reasoningLabel),
      this.reasoningBody,
    );
    this.answerEl = h("div", { class: "answer", "aria-live": "polite" });
    this.badges = h("div", { class: "badges" });
    this.footer = h("div", { class: "turn-footer" });
    this.actions = h("div", { class: "turn-actions", hidden: true });
    this.el = h(
      "article",
      { class: "turn assistant", "data-state": "streaming" },
      this.reasoningPanel,
      this.answerEl,
      this.badges,
      this.footer,
      this.actions,
    );
    this.reasoningBatch = new FrameBatcher((t) => {
      this.reasoning += t;
      this.showReasoning();
    }, schedule);
    this.answerBatch = new FrameBatcher((t) => {
      this.answer += t;
      this.showAnswer();
    }, schedule);
  }

  /** A recorded turn (reopened thread). */
  static recorded(reasoning: string, answer: string, status: string, generationId?: number): TurnView {
    const v = new TurnView((cb) => cb());
    if (generationId !== undefined) v.el.dataset.generationId = String(generationId);
    if (reasoning) v.handle({ type: "reasoning", text: reasoning });
    if (answer) v.handle({ type: "token", text: answer });
    if (status === "blocked") {
      v.notice("blocked", "Blocked by the guard policy.", []);
    }
    v.finish(status);
    return v;
  }

  get answerText(): string {
    return this.answer;
  }

  handle(ev: GenerationEvent): void {
    switch (ev.type) {
      case "reasoning":
        this.reasoningPanel.hidden = false;
        this.reasoningBatch.push(ev.text);
        break;
      case "token":
        this.endReasoning();
        this.answerBatch.push(ev.text);
        break;
      case "verdict":
        this.badge(ev);
        break;
      case "blocked":
        this.retract(ev.stage);
        this.notice("blocked", ev.message ?? "Blocked by the guard policy.", ev.categories, ev.stage);
        this.finish("blocked");
        break;
      case "redacted":
        this.answerBatch.discard();
        this.answer = ev.text;
        this.redacted = true;
        this.showAnswer();
        break;
      case "done":
        this.drain();
        if (ev.stats.stop_reason && !this.finished) {
          const s = ev.stats;
          this.footer.textContent = `${s.generated_tokens} tokens · ${s.generation_tps.toFixed(1)} tok/s · ${s.stop_reason}`;
        }
        // A block already ended the turn: keep its state.
        if (!this.finished) this.finish(ev.stats.stop_reason === "cancelled" ? "cancelled" : "completed");
        break;
      case "error":
        this.drain();
        this.notice("error", ev.message, [ev.code]);
        this.finish("failed");
        break;
      case "started":
        this.el.dataset.generationId = String(ev.generation_id);
        break;
    }
  }

  /** The promise of the turn rejected (the event stream may already have said so). */
  fail(code: string, message: string): void {
    if (this.finished) return;
    this.drain();
    this.notice("error", message, [code]);
    this.finish("failed");
  }

  private drain(): void {
    this.reasoningBatch.drain();
    this.answerBatch.drain();
  }

  private endReasoning(): void {
    if (this.reasoningLabel.textContent === "thinking…") {
      this.reasoningBatch.drain();
      this.reasoningLabel.textContent = "Reasoning";
      this.reasoningLabel.className = "";
    }
  }

  private finish(state: string): void {
    this.endReasoning();
    this.finished = true;
    this.el.dataset.state = state;
    this.showActions();
  }

  /** Copy and Flag under a finished turn (Flag needs its audit record). */
  private showActions(): void {
    clear(this.actions);
    if (this.answer) {
      const copy = h("button", { type: "button", class: "copy" }, "Copy");
      copy.addEventListener("click", () => void this.copy(copy));
      this.actions.appendChild(copy);
    }
    const id = Number(this.el.dataset.generationId);
    if (Number.isFinite(id) && id > 0) {
      const flag = h("button", { type: "button", class: "flag" }, "Flag");
      flag.addEventListener("click", () => this.flagForm(id, flag));
      this.actions.appendChild(flag);
    }
    this.actions.hidden = this.actions.childElementCount === 0;
  }

  private async copy(btn: HTMLButtonElement): Promise<void> {
    const ok = await copyText(this.answer);
    btn.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => (btn.textContent = "Copy"), 1500);
  }

  /** An inline reason box: the flag goes to the audit log's review queue. */
  private flagForm(id: number, btn: HTMLButtonElement): void {
    if (this.actions.querySelector(".flag-form")) return;
    const reason = h("input", { type: "text", class: "flag-reason", placeholder: "Why flag this answer?", "aria-label": "Flag reason" });
    const save = h("button", { type: "submit" }, "Flag for review");
    const status = h("span", { class: "flag-status", role: "status" });
    const form = h("form", { class: "flag-form" }, reason, save, status);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const why = reason.value.trim();
      if (!why) {
        status.textContent = "Give a reason.";
        reason.focus();
        return;
      }
      save.disabled = true;
      api
        .auditFlag(id, why)
        .then(() => {
          form.remove();
          btn.textContent = "Flagged";
          btn.disabled = true;
          this.el.dataset.flagged = "true";
        })
        .catch((err) => {
          save.disabled = false;
          status.textContent = asApiError(err).message;
        });
    });
    this.actions.appendChild(form);
    reason.focus();
  }

  private showAnswer(): void {
    clear(this.answerEl);
    this.answerEl.appendChild(renderMarkdown(this.answer));
    const marks = this.marks("output", this.answer);
    if (marks.length) markRendered(this.answerEl, this.answer, marks);
  }

  private showReasoning(): void {
    const marks = this.marks("reasoning", this.reasoning);
    if (marks.length === 0) {
      this.reasoningBody.textContent = this.reasoning;
      return;
    }
    clear(this.reasoningBody);
    this.reasoningBody.appendChild(highlight(this.reasoning, marks));
  }

  /** Marks over the text of a stage: the guard's spans, or the placeholders of a redaction. */
  private marks(stage: string, text: string): Mark[] {
    const hits = this.hits.filter((x) => x.stage === stage);
    if (stage === "output" && this.redacted) {
      const redaction = hits.find((x) => x.action === "redact");
      return redaction ? placeholderMarks(text, redaction.label) : [];
    }
    return hits.flatMap((x) => marksFor(text, x.spans, x.label, x.action));
  }

  private retract(stage: string): void {
    // What the guard stopped is withdrawn from view (the audit log keeps it).
    if (stage === "reasoning") {
      this.reasoningBatch.discard();
      this.reasoning = "";
      this.reasoningBody.textContent = "";
      this.reasoningPanel.hidden = true;
    }
    if (stage === "output" || stage === "reasoning") {
      this.answerBatch.discard();
      this.answer = "";
      clear(this.answerEl);
    }
  }

  private badge(v: VerdictSummary): void {
    const label = `${v.action === "redact" ? "redacted" : "flagged"}: ${v.categories.join(", ")}`;
    if (v.spans.length && v.stage !== "input") {
      // Each verdict carries every span of its stage so far: the latest one replaces the last.
      this.hits = this.hits.filter((x) => x.stage !== v.stage);
      this.hits.push({ stage: v.stage, spans: v.spans, label: `${v.categories.join(", ")} · ${v.action}`, action: v.action });
      if (v.stage === "output") this.showAnswer();
      else this.showReasoning();
    }
    const key = `${v.action}|${v.stage}|${label}`;
    if (this.badges.querySelector(`[data-key="${CSS.escape(key)}"]`)) return; // said already
    this.badges.appendChild(
      h("span", { class: `badge ${v.action}`, "data-key": key, title: `${v.action} at ${v.stage}` }, `${label} (${v.stage})`),
    );
  }

  private notice(kind: "blocked" | "error", message: string, categories: string[], stage?: string): void {
    const detail = [categories.join(", "), stage && `at ${stage}`].filter(Boolean).join(" ");
    // Above the footer and the turn's buttons, under what was said.
    this.el.insertBefore(
      h(
        "div",
        { class: `notice ${kind}`, role: "alert" },
        h("strong", {}, kind === "blocked" ? "Blocked" : "Error"),
        " ",
        h("span", { class: "notice-message" }, message),
        detail ? h("span", { class: "notice-detail" }, ` (${detail})`) : null,
      ),
      this.footer,
    );
  }
}

/** The clipboard API where the webview grants it, else a selection copy. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the selection copy.
  }
  const area = h("textarea", { class: "copy-buffer", readonly: true, "aria-hidden": "true" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
