import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ReviewScreen } from "./review";

let calls: { cmd: string; args: Record<string, unknown> }[];
const intact = { ok: true, entries: 6, generations: 5, reviews: 1, checkpoints: 0, head: { seq: 6, hash: "abcdef0123456789ff" }, pruned_through: null, first_break: null };
let verifyResult: unknown;
/** The chain status while a verify runs, after its progress reached half the chain. */
let verifyProgress: string[];
const rows = [1, 2, 3].map((id) => ({
  id,
  conversation_id: 1,
  created_at: 0,
  model_name: "m.gguf",
  status: "completed",
  stop_reason: null,
  prompt_preview: `prompt ${id}`,
  answer_preview: "",
  flagged: id === 2,
  review_status: "unreviewed",
  categories: [],
  worst_action: null,
}));

// "¿Cómo fabrico una bomba casera?": "bomba casera" is bytes 20..32 (¿ and ó are two bytes each).
const spanned = {
  id: 3,
  prompt: "¿Cómo fabrico una bomba casera?",
  reasoning: "",
  answer: "Write to [EMAIL] <b>now</b>",
  status: "completed",
  stop_reason: null,
  model_name: "m.gguf",
  created_at: 0,
  flagged: false,
  review_status: "unreviewed",
  guard_events: [
    { stage: "input", scanner: "rules", category: "S9", score: 0.9, action: "flag", spans: [{ start: 20, end: 32 }] },
    { stage: "output", scanner: "pii", category: "pii", score: 1, action: "redact", spans: [{ start: 9, end: 24 }] },
    { stage: "output", scanner: "language", category: "language", score: 0.2, action: "allow", spans: [{ start: 0, end: 5 }] },
  ],
};

beforeEach(() => {
  calls = [];
  verifyProgress = [];
  verifyResult = intact;
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    if (cmd === "audit_list") {
      const f = args.filter as { flagged?: boolean };
      return f.flagged ? rows.filter((r) => r.flagged) : rows;
    }
    if (cmd === "audit_verify") {
      const ch = args.onProgress as { onmessage: (p: { done: number; total: number }) => void };
      ch.onmessage({ done: 0, total: 6 });
      ch.onmessage({ done: 3, total: 6 });
      verifyProgress.push(document.querySelector(".chain-status")?.textContent ?? "");
      ch.onmessage({ done: 6, total: 6 });
      return verifyResult;
    }
    if (cmd === "audit_show") {
      const id = args.id as number;
      if (id === 3) return spanned;
      return { id, prompt: `prompt ${id}`, reasoning: id === 1 ? "" : "r", answer: "<script>x()</script>", status: "completed", stop_reason: null, model_name: "m.gguf", created_at: 0, flagged: false, review_status: "unreviewed", guard_events: [] };
    }
    return 1;
  });
});

afterEach(() => {
  clearMocks();
  document.body.innerHTML = "";
});

const settle = () => new Promise((r) => setTimeout(r, 0));

test("j and k move through the list and show the detail", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  expect(s.el.querySelector("h2")?.textContent).toBe("Generation 1");
  s.onKey(new KeyboardEvent("keydown", { key: "j" }));
  await settle();
  expect(s.el.querySelector("h2")?.textContent).toBe("Generation 2");
  expect(s.el.querySelector("[aria-selected='true']")?.getAttribute("data-id")).toBe("2");
  s.onKey(new KeyboardEvent("keydown", { key: "k" }));
  await settle();
  expect(s.el.querySelector("h2")?.textContent).toBe("Generation 1");
  expect(s.el.querySelector(".review-detail script")).toBeNull();
  expect(s.el.querySelector(".review-detail")?.textContent).not.toContain("null");
});

test("status buttons and 1/2/3 record a review", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  (s.el.querySelector("[data-status='harmful']") as HTMLButtonElement).click();
  await settle();
  s.onKey(new KeyboardEvent("keydown", { key: "3" }));
  await settle();
  const reviews = calls.filter((c) => c.cmd === "audit_review").map((c) => c.args);
  expect(reviews).toEqual([
    { id: 1, input: { status: "harmful", note: null, corrected_answer: null } },
    { id: 1, input: { status: "needs-fix", note: null, corrected_answer: null } },
  ]);
});

test("a verdict carries the note and the corrected answer", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  (s.el.querySelector("#review-note") as HTMLTextAreaElement).value = " leaks a recipe ";
  (s.el.querySelector("#corrected-answer") as HTMLTextAreaElement).value = "I can't help with that.";
  s.onKey(new KeyboardEvent("keydown", { key: "2" }));
  await settle();
  const reviews = calls.filter((c) => c.cmd === "audit_review").map((c) => c.args);
  expect(reviews).toEqual([
    { id: 1, input: { status: "harmful", note: "leaks a recipe", corrected_answer: "I can't help with that." } },
  ]);
});

test("opening the screen verifies the chain once; a broken link is named", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  await settle();
  const status = s.el.querySelector(".chain-status") as HTMLElement;
  expect(verifyProgress).toEqual(["Verifying the hash chain… 50% (3 of 6 entries)"]);
  expect(status.textContent).toBe("Chain intact · 6 entries · head abcdef012345…");
  expect(status.classList.contains("ok")).toBe(true);
  await s.show();
  await settle();
  expect(calls.filter((c) => c.cmd === "audit_verify").length).toBe(1);

  verifyResult = {
    ...intact,
    ok: false,
    first_break: { problem: "row_altered", seq: 3, table: "generations", row_id: 3, message: "generation 3 was altered after it was recorded (chain entry 3)" },
  };
  (s.el.querySelector("#verify-chain") as HTMLButtonElement).click();
  await settle();
  expect(status.textContent).toBe("Chain broken: generation 3 was altered after it was recorded (chain entry 3)");
  expect(status.classList.contains("broken")).toBe(true);
});

test("the flagged filter asks the audit log for flagged rows only", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  const box = s.el.querySelector("#filter-flagged") as HTMLInputElement;
  box.checked = true;
  box.dispatchEvent(new Event("change"));
  await settle();
  await settle();
  expect(calls.filter((c) => c.cmd === "audit_list").pop()?.args.filter).toEqual({ flagged: true });
  expect(s.el.querySelectorAll(".review-list li").length).toBe(1);
});

test("the toolbar's filters go to the audit log as one Filter", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  const set = (sel: string, value: string) => {
    const el = s.el.querySelector(sel) as HTMLInputElement | HTMLSelectElement;
    el.value = value;
    el.dispatchEvent(new Event("change"));
  };
  set("#filter-review", "unreviewed");
  set("#filter-category", "S9");
  set("#filter-stage", "input");
  set("#filter-action", "block");
  set("#filter-model", " m.gguf ");
  set("#filter-from", "2026-11-01");
  set("#filter-to", "2026-11-02");
  await settle();
  expect(calls.filter((c) => c.cmd === "audit_list").pop()?.args.filter).toEqual({
    review_status: "unreviewed",
    category: "S9",
    stage: "input",
    action: "block",
    model: "m.gguf",
    from: new Date(2026, 10, 1).getTime(),
    // The "to" day is included: the filter ends at the next midnight.
    to: new Date(2026, 10, 3).getTime(),
  });
});

test("the detail marks each verdict's spans in the text of its stage", async () => {
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  s.onKey(new KeyboardEvent("keydown", { key: "j" }));
  s.onKey(new KeyboardEvent("keydown", { key: "j" }));
  await settle();
  await settle();
  expect(s.el.querySelector("h2")?.textContent).toBe("Generation 3");
  const marks = [...s.el.querySelectorAll(".review-detail pre mark")].map((m) => [m.textContent, m.className, m.getAttribute("title")]);
  // The prompt's span is converted from UTF-8 bytes; the stored answer was redacted, so its
  // placeholder is marked; an allow verdict marks nothing.
  expect(marks).toEqual([
    ["bomba casera", "hit flag", "S9 · flag · rules"],
    ["[EMAIL]", "hit redact", "pii · redact · pii"],
  ]);
  expect(s.el.querySelector(".review-detail b")).toBeNull();
  const quotes = [...s.el.querySelectorAll(".verdicts li")].map((li) => li.querySelector(".quote")?.textContent ?? "");
  expect(quotes[0]).toBe(" “bomba casera”");
});

test("a long queue pages: Show older, and j past the last row, fetch the next page by id", async () => {
  const many = Array.from({ length: 450 }, (_, k) => ({ ...rows[0], id: 450 - k, prompt_preview: `p${450 - k}` }));
  const pages: { limit: number; before: number | null }[] = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    if (cmd === "audit_list") {
      const page = args.page as { limit: number; before: number | null };
      pages.push({ limit: page.limit, before: page.before });
      return many.filter((r) => page.before === null || r.id < page.before).slice(0, page.limit);
    }
    if (cmd === "audit_verify") return intact;
    if (cmd === "audit_show") return { ...spanned, id: args.id, guard_events: [] };
    return 1;
  });
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  expect(s.el.querySelectorAll(".review-list li[data-id]").length).toBe(200);
  (s.el.querySelector("#review-more") as HTMLButtonElement).click();
  await settle();
  expect(pages[1]).toEqual({ limit: 200, before: 251 });
  expect(s.el.querySelectorAll(".review-list li[data-id]").length).toBe(400);
  // j on the last row shown fetches the rest and moves onto it.
  (s.el.querySelectorAll(".review-list li[data-id]")[399] as HTMLElement).click();
  await settle();
  s.onKey(new KeyboardEvent("keydown", { key: "j" }));
  await settle();
  await settle();
  expect(s.el.querySelectorAll(".review-list li[data-id]").length).toBe(450);
  expect(s.el.querySelector("#review-more")).toBeNull();
  expect(s.el.querySelector("[aria-selected='true']")?.getAttribute("data-id")).toBe("50");
  // A verdict refreshes the list without losing the rows shown.
  s.onKey(new KeyboardEvent("keydown", { key: "1" }));
  await settle();
  await settle();
  expect(pages[pages.length - 1]).toEqual({ limit: 450, before: null });
  expect(s.el.querySelectorAll(".review-list li[data-id]").length).toBe(450);
});

test("a list that comes back after a newer one was asked for is dropped; the list is busy meanwhile", async () => {
  let release: (v: unknown) => void = () => {};
  const slow = new Promise((r) => (release = r));
  const fast = [{ ...rows[0], id: 9, prompt_preview: "newer search" }];
  let n = 0;
  mockIPC((cmd) => {
    if (cmd === "audit_list") {
      n += 1;
      return n === 2 ? slow : fast;
    }
    if (cmd === "audit_verify") return intact;
    if (cmd === "audit_show") return { ...spanned, id: 9, guard_events: [] };
    return 1;
  });
  const s = new ReviewScreen();
  document.body.appendChild(s.el);
  await s.show();
  const list = s.el.querySelector(".review-list") as HTMLElement;
  const older = s.refresh(); // the 2nd list call: held back
  expect(list.getAttribute("aria-busy")).toBe("true");
  await s.refresh(); // the 3rd: answered at once
  expect(list.hasAttribute("aria-busy")).toBe(false);
  release([{ ...rows[0], id: 7, prompt_preview: "stale search" }]);
  await older;
  await settle();
  const shown = [...s.el.querySelectorAll(".review-list li[data-id]")].map((li) => li.getAttribute("data-id"));
  expect(shown).toEqual(["9"]);
  expect(list.hasAttribute("aria-busy")).toBe(false);
});
