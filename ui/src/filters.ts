// The audit-log filters shared by the Review and Export screens: flag, text, review state,
// guard category, stage and action, model, and a date range. Unset ones are left out of the
// Filter; the "to" day is included.

import { h } from "./dom";
import type { Filter } from "./ipc";

const CATEGORIES = [...Array.from({ length: 14 }, (_, i) => `S${i + 1}`), "injection", "pii", "language", "r1"];

/** A `<select>` whose first option, "any", leaves the filter out. */
function choice(id: string, label: string, values: string[]): HTMLSelectElement {
  return h(
    "select",
    { id, "aria-label": label, title: label },
    h("option", { value: "" }, `${label}: any`),
    ...values.map((v) => h("option", { value: v }, v)),
  );
}

/** Unix milliseconds of a `<input type="date">`'s day (local midnight), `days` later. */
function dayMs(input: HTMLInputElement, days = 0): number | undefined {
  if (!input.value) return undefined;
  const [y, m, d] = input.value.split("-").map(Number);
  return new Date(y, m - 1, d + days).getTime();
}

export class FilterBar {
  /** The controls, in toolbar order. */
  readonly controls: HTMLElement[];
  private readonly flagged: HTMLInputElement;
  private readonly text: HTMLInputElement;
  private readonly review: HTMLSelectElement;
  private readonly category: HTMLSelectElement;
  private readonly stage: HTMLSelectElement;
  private readonly action: HTMLSelectElement;
  private readonly model: HTMLInputElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;

  /** Element ids are `${prefix}-flagged`, `${prefix}-text`, `${prefix}-review`, … */
  constructor(prefix: string, onChange: () => void = () => {}) {
    this.flagged = h("input", { type: "checkbox", id: `${prefix}-flagged` });
    this.text = h("input", { type: "search", id: `${prefix}-text`, placeholder: "Search text" });
    this.review = choice(`${prefix}-review`, "Review", ["unreviewed", "ok", "harmful", "needs-fix"]);
    this.category = choice(`${prefix}-category`, "Category", CATEGORIES);
    this.stage = choice(`${prefix}-stage`, "Stage", ["input", "reasoning", "output"]);
    this.action = choice(`${prefix}-action`, "Action", ["allow", "flag", "redact", "block"]);
    this.model = h("input", { type: "text", id: `${prefix}-model`, placeholder: "Model file", size: "14" });
    this.from = h("input", { type: "date", id: `${prefix}-from`, title: "From (day)" });
    this.to = h("input", { type: "date", id: `${prefix}-to`, title: "To (day, included)" });
    const inputs = [this.flagged, this.text, this.review, this.category, this.stage, this.action, this.model, this.from, this.to];
    for (const el of inputs) el.addEventListener("change", onChange);
    this.controls = [h("label", {}, this.flagged, " Flagged only"), ...inputs.slice(1)];
  }

  value(): Filter {
    const f: Filter = {
      flagged: this.flagged.checked ? true : undefined,
      review_status: this.review.value || undefined,
      category: this.category.value || undefined,
      stage: this.stage.value || undefined,
      action: this.action.value || undefined,
      model: this.model.value.trim() || undefined,
      from: dayMs(this.from),
      to: dayMs(this.to, 1),
      text: this.text.value.trim() || undefined,
    };
    return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Filter;
  }
}
