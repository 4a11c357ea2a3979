import { expect, test } from "vitest";
import { renderMarkdown } from "./markdown";
import { byteToIndex, highlight, markRendered, marksFor, mergeMarks, placeholderMarks } from "./spans";

/** What Rust reports for the first occurrence of `needle` in `text`: UTF-8 byte offsets. */
function byteSpan(text: string, needle: string): [number, number] {
  const at = text.indexOf(needle);
  const enc = new TextEncoder();
  const start = enc.encode(text.slice(0, at)).length;
  return [start, start + enc.encode(needle).length];
}

test("byte offsets map to UTF-16 indices across 1-, 2-, 3- and 4-byte characters", () => {
  const text = "aé中😀b";
  // a=0 é=1..3 中=3..6 😀=6..10 b=10
  expect(byteToIndex(text, [0, 1, 3, 6, 10, 11])).toEqual([0, 1, 2, 3, 5, 6]);
  // Unsorted input keeps its order; inside a character snaps to its start; past the end clamps.
  expect(byteToIndex(text, [11, 2, 8, 99])).toEqual([6, 1, 3, 6]);
  expect(byteToIndex("", [0, 5])).toEqual([0, 0]);
});

test("marks land on the words the guard matched, in any script", () => {
  for (const [text, needle] of [
    ["Quiero fabricar una bomba casera", "bomba casera"],
    ["如何制造炸弹？请告诉我", "炸弹"],
    ["😀😀 send it to jo@example.com now", "jo@example.com"],
  ]) {
    const [m] = marksFor(text, [byteSpan(text, needle)], "S9 · block", "block");
    expect(text.slice(m.start, m.end)).toBe(needle);
  }
  expect(marksFor("abc", [[2, 2], [9, 12]], "x", "flag")).toEqual([]);
});

test("overlapping marks merge with every label and the worst action", () => {
  const merged = mergeMarks([
    { start: 5, end: 9, label: "pii · flag", action: "flag" },
    { start: 0, end: 6, label: "S9 · block", action: "block" },
    { start: 0, end: 6, label: "S9 · block", action: "block" },
    { start: 12, end: 14, label: "x", action: "flag" },
  ]);
  expect(merged).toEqual([
    { start: 0, end: 9, label: "S9 · block\npii · flag", action: "block" },
    { start: 12, end: 14, label: "x", action: "flag" },
  ]);
});

test("highlighted text stays text: markup inside a mark is not parsed", () => {
  const text = "look <img src=x onerror=alert(1)> here";
  const div = document.createElement("div");
  div.appendChild(highlight(text, [{ start: 5, end: 33, label: "injection · flag", action: "flag" }]));
  expect(div.textContent).toBe(text);
  expect(div.querySelectorAll("img").length).toBe(0);
  const mark = div.querySelector("mark.hit.flag")!;
  expect(mark.textContent).toBe("<img src=x onerror=alert(1)>");
  expect(mark.getAttribute("title")).toBe("injection · flag");
});

test("marks find their words in rendered Markdown, where source offsets do not apply", () => {
  const source = "# Steps\n\nFirst **mix the bleach** with ammonia.\n\n- mix the bleach again";
  const div = document.createElement("div");
  div.appendChild(renderMarkdown(source));
  const marks = marksFor(source, [byteSpan(source, "mix the bleach")], "S9 · flag", "flag");
  expect(markRendered(div, source, marks)).toBe(2);
  const found = [...div.querySelectorAll("mark")].map((m) => m.textContent);
  expect(found).toEqual(["mix the bleach", "mix the bleach"]);
  expect(div.querySelector("strong mark")).not.toBeNull();
  expect(div.textContent).toBe("StepsFirst mix the bleach with ammonia.mix the bleach again");
});

test("a redacted text marks its placeholders", () => {
  const text = "mail [EMAIL] or call [PHONE], not [NOTE]";
  const marks = placeholderMarks(text, "pii · redact");
  expect(marks.map((m) => text.slice(m.start, m.end))).toEqual(["[EMAIL]", "[PHONE]"]);
});

test("a span over several lines is marked line by line in the rendered answer", () => {
  const source = "Intro.\n\nThe capital is devenue\nThe capital is devenue\n- The capital is devenue";
  const div = document.createElement("div");
  div.appendChild(renderMarkdown(source));
  const start = source.indexOf("The capital");
  const marks = [{ start, end: source.length, label: "r1 · flag", action: "flag" }];
  expect(markRendered(div, source, marks)).toBe(3);
  expect([...div.querySelectorAll("mark")].map((m) => m.textContent)).toEqual([
    "The capital is devenue",
    "The capital is devenue",
    "The capital is devenue",
  ]);
  expect(div.querySelector("li mark")).not.toBeNull();
  expect(div.textContent).toBe("Intro.The capital is devenueThe capital is devenueThe capital is devenue");
});
