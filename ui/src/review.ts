// The Review screen: generations from the audit log, a flagged filter, the detail of one, and
// the reviewer's verdict with an optional note and corrected answer (which feed the SFT and
// preference exports). j/k move, 1/2/3 mark ok / harmful / needs-fix. The toolbar shows
// whether the log's hash chain is intact (checked when the screen first opens, and on demand).

import { append, clear, h } from "./dom";
import { FilterBar } from "./filters";
import { api, asApiError, type GenerationDetail, type GuardEvent, type GenerationSummary, type ReviewStatus } from "./ipc";
import { highlight, marksFor, placeholderMarks, type Mark } from "./spans";

const STATUSES: ReviewStatus[] = ["ok", "harmful", "needs-fix"];
/** Rows fetched per page. */
export const PAGE = 200;
export class ReviewScreen {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly filters: FilterBar;
  private readonly chain: HTMLElement;
  private readonly verifyBtn: HTMLButtonElement;
  private rows: GenerationSummary[] = [];
  /** Whether older rows may follow the ones shown. */
  private more = false;
  private selected = -1;
  private verified = false;
  /** Bumped by every refresh: a list that comes back after a newer one was asked for (a
   *  search typed on while the last one ran) is dropped instead of shown. */
  private asked = 0;

  constructor() {
    this.filters = new FilterBar("filter", () => void this.refresh());
    this.list = h("ul", { class: "review-list", role: "listbox", "aria-label": "Generations" });
    this.detail = h("div", { class: "review-detail" });
    this.chain = h("span", { class: "chain-status", role: "status", "aria-live": "polite" });
    this.verifyBtn = h("button", { type: "button", id: "verify-chain", title: "Walk the audit log's hash chain" }, "Verify chain");
    this.verifyBtn.addEventListener("click", () => void this.verify());
    this.el = h(
      "section",
      { class: "screen review", "data-screen": "review", hidden: true },
      h(
        "div",
        { class: "toolbar" },
        ...this.filters.controls,
        h("span", { class: "hint" }, "j/k move · 1 ok · 2 harmful · 3 needs fix"),
        this.verifyBtn,
        this.chain,
      ),
      h("div", { class: "review-body" }, this.list, this.detail),
    );
  }

  async show(): Promise<void> {
    if (!this.verified) {
      this.verified = true;
      void this.verify();
    }
    await this.refresh();
  }

  /** Walks the hash chain and shows the outcome: intact, or the first broken link. */
  async verify(): Promise<void> {
    this.verifyBtn.disabled = true;
    this.chain.className = "chain-status busy";
    this.chain.textContent = "Verifying the hash chain…";
    try {
      const r = await api.auditVerify((done, total) => {
        if (total > 0 && done < total) {
          const pct = Math.floor((100 * done) / total);
          this.chain.textContent = `Verifying the hash chain… ${pct}% (${done.toLocaleString()} of ${total.toLocaleString()} entries)`;
        }
      });
      if (r.ok) {
        this.chain.className = "chain-status ok";
        this.chain.textContent =
          r.entries === 0
            ? "Chain intact · empty log"
            : `Chain intact · ${r.entries} entries · head ${r.head?.hash.slice(0, 12) ?? ""}…`;
      } else {
        this.chain.className = "chain-status broken";
        this.chain.textContent = `Chain broken: ${r.first_break?.message ?? "see warden audit verify"}`;
      }
    } catch (e) {
      this.chain.className = "chain-status broken";
      this.chain.textContent = `Could not verify: ${asApiError(e).message}`;
    } finally {
      this.verifyBtn.disabled = false;
    }
  }

  onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
    if (e.key === "j") {
      if (this.selected === this.rows.length - 1 && this.more) {
        void this.loadMore().then(() => this.select(Math.min(this.selected + 1, this.rows.length - 1)));
      } else void this.select(Math.min(this.selected + 1, this.rows.length - 1));
    }
    else if (e.key === "k") void this.select(Math.max(this.selected - 1, 0));
    else if (e.key >= "1" && e.key <= "3") void this.mark(STATUSES[Number(e.key) - 1]);
    else return;
    e.preventDefault();
  }

  async refresh(): Promise<void> {
    const asked = ++this.asked;
    const filter = this.filters.value();
    // Keep as many rows as were shown (a verdict refreshes the list without losing the place).
    const shown = Math.max(PAGE, this.rows.length);
    this.list.setAttribute("aria-busy", "true");
    let rows: GenerationSummary[];
    try {
      rows = await api.auditList(filter, shown);
    } catch (e) {
      if (asked !== this.asked) return;
      this.list.removeAttribute("aria-busy");
      clear(this.list);
      this.list.appendChild(h("li", { class: "error" }, asApiError(e).message));
      return;
    }
    if (asked !== this.asked) return;
    this.list.removeAttribute("aria-busy");
    this.rows = rows;
    this.more = this.rows.length === shown;
    clear(this.list);
    if (this.rows.length === 0) {
      this.list.appendChild(
        h("li", { class: "empty" }, Object.keys(filter).length ? "Nothing matches these filters." : "No generations yet."),
      );
      clear(this.detail);
      this.selected = -1;
      return;
    }
    this.rows.forEach((r, i) => this.list.appendChild(this.item(r, i)));
    this.moreButton();
    await this.select(Math.max(0, Math.min(this.selected, this.rows.length - 1)));
  }

  /** The next page of older rows, after the ones shown (keyset: ids below the last). */
  async loadMore(): Promise<void> {
    const last = this.rows[this.rows.length - 1];
    if (!last || !this.more) return;
    const asked = this.asked;
    let page: GenerationSummary[];
    try {
      page = await api.auditList(this.filters.value(), PAGE, last.id);
    } catch (e) {
      if (asked === this.asked) this.error(e);
      return;
    }
    // The list was asked for again meanwhile: these rows belong to the old one.
    if (asked !== this.asked) return;
    this.list.querySelector("li.more")?.remove();
    const from = this.rows.length;
    this.rows.push(...page);
    page.forEach((r, n) => this.list.appendChild(this.item(r, from + n)));
    this.more = page.length === PAGE;
    this.moreButton();
  }

  private item(r: GenerationSummary, i: number): HTMLElement {
    const item = h(
      "li",
      { role: "option", "data-id": String(r.id), tabindex: "-1" },
      h("span", { class: `status ${r.status}` }, r.status),
      r.flagged ? h("span", { class: "badge flag" }, "flagged") : null,
      h("span", { class: "review-state" }, r.review_status),
      h("span", { class: "preview" }, r.prompt_preview),
    );
    item.addEventListener("click", () => void this.select(i));
    return item;
  }

  private moreButton(): void {
    if (!this.more) return;
    const btn = h("button", { type: "button", id: "review-more" }, `Show ${PAGE} older`);
    btn.addEventListener("click", () => void this.loadMore());
    this.list.appendChild(h("li", { class: "more" }, btn));
  }

  private async select(i: number): Promise<void> {
    if (i < 0 || i >= this.rows.length) return;
    this.selected = i;
    this.list.querySelectorAll("li[data-id]").forEach((li, n) => li.setAttribute("aria-selected", String(n === i)));
    const id = this.rows[i].id;
    clear(this.detail);
    try {
      const d = await api.auditShow(id);
      // j/k pressed quickly: only the latest selection's detail is shown.
      if (this.selected !== i || this.rows[i]?.id !== id) return;
      const flagReason = h("input", { type: "text", placeholder: "Why flag it?", id: "flag-reason" });
      const flagBtn = h("button", { type: "button" }, "Flag");
      flagBtn.addEventListener("click", () => {
        const reason = flagReason.value.trim() || "flagged in review";
        void api.auditFlag(id, reason).then(() => this.refresh(), (e) => this.error(e));
      });
      const note = h("textarea", { id: "review-note", rows: "2", placeholder: "Note (optional)" });
      const corrected = h("textarea", {
        id: "corrected-answer",
        rows: "4",
        placeholder: "Corrected answer (optional): feeds the SFT and preference exports",
      });
      const buttons = STATUSES.map((s, n) => {
        const b = h(
          "button",
          { type: "button", "data-status": s, "aria-pressed": String(d.review_status === s) },
          `${n + 1} ${s}`,
        );
        b.addEventListener("click", () => void this.mark(s));
        return b;
      });
      append(
        this.detail,
        h("h2", {}, `Generation ${d.id}`),
        h("p", { class: "meta" }, `${d.status} · ${d.model_name} · review: ${d.review_status}${d.flagged ? " · flagged" : ""}`),
        h("div", { class: "review-actions" }, ...buttons, flagReason, flagBtn),
        h("div", { class: "review-edit" }, note, corrected),
        section("Prompt", d.prompt, stageMarks(d, "input")),
        d.reasoning ? section("Reasoning", d.reasoning, stageMarks(d, "reasoning")) : null,
        d.answer ? section("Answer", d.answer, stageMarks(d, "output")) : section("Answer", "(no answer)", []),
        d.guard_events.length
          ? h("ul", { class: "verdicts" }, ...d.guard_events.map((g) => verdictItem(d, g)))
          : null,
      );
    } catch (e) {
      this.error(e);
    }
  }

  private async mark(status: ReviewStatus): Promise<void> {
    const row = this.rows[this.selected];
    if (!row) return;
    const field = (id: string) =>
      (this.detail.querySelector(`#${id}`) as HTMLTextAreaElement | null)?.value.trim() || undefined;
    try {
      await api.auditReview(row.id, status, field("review-note"), field("corrected-answer"));
      await this.refresh();
    } catch (e) {
      this.error(e);
    }
  }

  private error(e: unknown): void {
    this.detail.appendChild(h("p", { class: "error", role: "alert" }, asApiError(e).message));
  }
}

function section(title: string, text: string, marks: Mark[]): HTMLElement {
  // Recorded text is shown as text, never as markup; the guard's spans as <mark>s over it.
  const pre = h("pre", { class: "text" });
  pre.appendChild(highlight(text, marks));
  return h("section", { class: "field" }, h("h3", {}, title), pre);
}

const STAGE_TEXT = { input: "prompt", reasoning: "reasoning", output: "answer" } as const;

function stageText(d: GenerationDetail, stage: string): string {
  const field = STAGE_TEXT[stage as keyof typeof STAGE_TEXT];
  return field ? d[field] : "";
}

function eventMarks(d: GenerationDetail, g: GuardEvent): Mark[] {
  const text = stageText(d, g.stage);
  const label = `${g.category} · ${g.action} · ${g.scanner}`;
  // A log that keeps redacted text holds placeholders where the spans were: mark those.
  if (g.action === "redact") {
    const placeholders = placeholderMarks(text, label);
    if (placeholders.length) return placeholders;
  }
  return marksFor(
    text,
    g.spans.map((s) => [s.start, s.end]),
    label,
    g.action,
  );
}

/** The marks of every guard event of one stage over that stage's text. */
export function stageMarks(d: GenerationDetail, stage: string): Mark[] {
  return d.guard_events.filter((g) => g.stage === stage && g.action !== "allow").flatMap((g) => eventMarks(d, g));
}

function verdictItem(d: GenerationDetail, g: GuardEvent): HTMLElement {
  const text = stageText(d, g.stage);
  const quotes = eventMarks(d, g)
    .slice(0, 3)
    .map((m) => `“${text.slice(m.start, Math.min(m.end, m.start + 60))}”`);
  return h(
    "li",
    { "data-stage": g.stage, "data-category": g.category },
    `${g.stage} · ${g.action} · ${g.category} · ${g.scanner} · ${g.score.toFixed(2)}`,
    quotes.length ? h("span", { class: "quote" }, ` ${quotes.join(" ")}`) : null,
  );
}
