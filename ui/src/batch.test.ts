import { expect, test } from "vitest";
import { FrameBatcher } from "./batch";

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => queue.push(cb),
    frame: () => queue.splice(0).forEach((cb) => cb()),
    pending: () => queue.length,
  };
}

test("many tokens in one frame make one DOM update, in order", () => {
  const frames = manualFrames();
  const flushed: string[] = [];
  const b = new FrameBatcher((t) => flushed.push(t), frames.schedule);
  for (let i = 0; i < 100; i++) b.push(`${i},`);
  expect(frames.pending()).toBe(1);
  expect(flushed).toEqual([]);
  frames.frame();
  expect(flushed).toHaveLength(1);
  expect(flushed[0]).toBe(Array.from({ length: 100 }, (_, i) => `${i},`).join(""));
});

test("nothing is dropped across frames", () => {
  const frames = manualFrames();
  let shown = "";
  const b = new FrameBatcher((t) => (shown += t), frames.schedule);
  b.push("a");
  frames.frame();
  b.push("b");
  b.push("c");
  frames.frame();
  b.push("d");
  b.drain();
  frames.frame();
  expect(shown).toBe("abcd");
});

test("a discarded batch never reaches the screen", () => {
  const frames = manualFrames();
  let shown = "";
  const b = new FrameBatcher((t) => (shown += t), frames.schedule);
  b.push("secret");
  b.discard();
  frames.frame();
  expect(shown).toBe("");
});
