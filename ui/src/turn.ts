// One assistant turn in the chat: the collapsible reasoning panel, the answer, guard badges,
// and the block / error notices. Streaming text is batched per animation frame.

import { FrameBatcher, type Schedule } from "./batch";
import { clear, h } from "./dom";
import type { GenerationEvent, VerdictSummary } from "./ipc";
import { renderMarkdown } from "./markdown";

export class TurnView {
  readonly el: HTMLElement;
  private readonly reasoningPanel: HTMLDetailsElement;
  private readonly reasoningLabel: HTMLElement;
  private readonly reasoningBody: HTMLElement;
  private readonly answerEl: HTMLElement;
  private readonly badges: HTMLElement;
  private readonly footer: HTMLElement;
  private reasoning = "";
  private answer = "";
  private readonly reasoningBatch: FrameBatcher;
  private readonly answerBatch: FrameBatcher;
  private finished = false;

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
    this.el = h(
      "article",
      { class: "turn assistant", "data-state": "streaming" },
      this.reasoningPanel,
      this.answerEl,
      this.badges,
      this.footer,
    );
    this.reasoningBatch = new FrameBatcher((t) => {
      this.reasoning += t;
      this.reasoningBody.textContent = this.reasoning;
    }, schedule);
    this.answerBatch = new FrameBatcher((t) => {
      this.answer += t;
      this.showAnswer();
    }, schedule);
  }

  /** A recorded turn (reopened thread). */
  static recorded(reasoning: string, answer: string, status: string): TurnView {
    const v = new TurnView((cb) => cb());
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
  }

  private showAnswer(): void {
    clear(this.answerEl);
    this.answerEl.appendChild(renderMarkdown(this.answer));
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
    const key = `${v.action}|${v.stage}|${label}`;
    if (this.badges.querySelector(`[data-key="${CSS.escape(key)}"]`)) return; // said already
    this.badges.appendChild(
      h("span", { class: `badge ${v.action}`, "data-key": key, title: `${v.action} at ${v.stage}` }, `${label} (${v.stage})`),
    );
  }

  private notice(kind: "blocked" | "error", message: string, categories: string[], stage?: string): void {
    const detail = [categories.join(", "), stage && `at ${stage}`].filter(Boolean).join(" ");
    this.el.appendChild(
      h(
        "div",
        { class: `notice ${kind}`, role: "alert" },
        h("strong", {}, kind === "blocked" ? "Blocked" : "Error"),
        " ",
        h("span", { class: "notice-message" }, message),
        detail ? h("span", { class: "notice-detail" }, ` (${detail})`) : null,
      ),
    );
  }
}
