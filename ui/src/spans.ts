// Guard spans in text. The guard reports UTF-8 byte offsets into the text of a stage (the
// prompt, the reasoning or the answer); the page indexes strings in UTF-16 units. Highlights
// are built from Text nodes and <mark> elements only, so what is highlighted stays inert.

import { h } from "./dom";

/** A highlighted range in UTF-16 units, with what the guard said about it. */
export interface Mark {
  start: number;
  end: number;
  /** Shown on hover: category, action, scanner. */
  label: string;
  /** `flag`, `redact` or `block`: the mark's colour. */
  action: string;
}

/**
 * UTF-8 byte offsets → UTF-16 indices into `text`. An offset past the end becomes the end; one
 * inside a character moves back to that character's start. One pass over the text.
 */
export function byteToIndex(text: string, offsets: number[]): number[] {
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b]);
  const out = new Array<number>(offsets.length);
  let byte = 0;
  let i = 0; // UTF-16 index of the character starting at `byte`
  let k = 0;
  while (k < order.length) {
    const want = offsets[order[k]];
    const cp = i < text.length ? text.codePointAt(i)! : -1;
    const width = cp < 0 ? Infinity : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (want < byte + width) {
      out[order[k++]] = i;
      continue;
    }
    byte += width;
    i += cp > 0xffff ? 2 : 1;
  }
  return out;
}

/** Byte spans → marks in UTF-16 units; empty and out-of-range spans are dropped. */
export function marksFor(text: string, spans: [number, number][], label: string, action: string): Mark[] {
  const idx = byteToIndex(text, spans.flat());
  const out: Mark[] = [];
  for (let n = 0; n < spans.length; n++) {
    const start = idx[2 * n];
    const end = idx[2 * n + 1];
    if (end > start) out.push({ start, end, label, action });
  }
  return out;
}

const SEVERITY: Record<string, number> = { flag: 1, redact: 2, block: 3 };

/** Sorted, non-overlapping marks: overlapping ones merge, keeping every label and the worst action. */
export function mergeMarks(marks: Mark[]): Mark[] {
  const sorted = [...marks].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Mark[] = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last && m.start < last.end) {
      last.end = Math.max(last.end, m.end);
      if (!last.label.split("\n").includes(m.label)) last.label += `\n${m.label}`;
      if ((SEVERITY[m.action] ?? 0) > (SEVERITY[last.action] ?? 0)) last.action = m.action;
    } else {
      out.push({ ...m });
    }
  }
  return out;
}

function markEl(text: string, m: Mark): HTMLElement {
  return h("mark", { class: `hit ${m.action}`, title: m.label }, text);
}

/** `text` with the marks as <mark> elements (for plain-text views). */
export function highlight(text: string, marks: Mark[]): DocumentFragment {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const m of mergeMarks(marks)) {
    if (m.start >= text.length) break;
    const end = Math.min(m.end, text.length);
    if (m.start > at) out.appendChild(document.createTextNode(text.slice(at, m.start)));
    out.appendChild(markEl(text.slice(Math.max(m.start, at), end), m));
    at = end;
  }
  if (at < text.length) out.appendChild(document.createTextNode(text.slice(at)));
  return out;
}

/**
 * Marks, in rendered markup under `root`, each place where a marked piece of `source` (or one
 * line of it) appears within one Text node. Rendering (Markdown) drops syntax, so source offsets do not map onto
 * the page; the marked words themselves do.
 */
export function markRendered(root: Node, source: string, marks: Mark[]): number {
  // A span over several lines (a repetition loop, a list) renders as several Text nodes:
  // each of its lines is looked for on its own, without the line's Markdown prefix.
  const wanted = mergeMarks(marks)
    .flatMap((m) =>
      source
        .slice(m.start, m.end)
        .split("\n")
        .map((line) => ({ text: line.replace(/^\s*(?:[-*+]\s+|\d+[.)]\s+|#{1,6}\s+|>\s?)?/, "").trim(), mark: m })),
    )
    .filter((w) => w.text.length > 0)
    .sort((a, b) => b.text.length - a.text.length);
  if (wanted.length === 0) return 0;
  const nodes: Text[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  let marked = 0;
  for (const node of nodes) {
    let rest: Text | null = node;
    while (rest) {
      const data: string = rest.data;
      let best: { at: number; w: (typeof wanted)[number] } | null = null;
      for (const w of wanted) {
        const at = data.indexOf(w.text);
        if (at >= 0 && (best === null || at < best.at)) best = { at, w };
      }
      if (!best) break;
      const hit: Text = rest.splitText(best.at);
      const after = hit.splitText(best.w.text.length);
      hit.replaceWith(markEl(hit.data, best.w.mark));
      marked++;
      rest = after;
    }
  }
  return marked;
}

/** Redaction placeholders the guard writes (`[EMAIL]`, `[API_KEY]`, …). */
const PLACEHOLDER = /\[(EMAIL|PHONE|CREDIT_CARD|IBAN|US_SSN|IP_ADDRESS|API_KEY)\]/g;

/** Marks over the redaction placeholders in `text` (offsets of a redacted text do not apply). */
export function placeholderMarks(text: string, label: string): Mark[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
    label,
    action: "redact",
  }));
}
