import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { ChatScreen } from "./chat";
import type { GenerationEvent } from "./ipc";

type Args = Record<string, unknown>;
type Send = (ev: GenerationEvent) => void;

let calls: { cmd: string; args: Args }[];
let script: (send: Send) => void;

beforeEach(() => {
  calls = [];
  // Frames run at once: these tests check content, batch.test.ts checks the batching.
  vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => {
    cb(0);
    return 0;
  });
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Args;
    calls.push({ cmd, args });
    switch (cmd) {
      case "list_threads":
        return [
          { id: 7, title: "Earlier thread", created_at: 0, updated_at: 0, turns: 1 },
          { id: 8, title: "Sourdough starter questions", created_at: 0, updated_at: 0, turns: 2 },
        ];
      case "send_message": {
        const channel = args.onEvent as { onmessage: Send };
        script((ev) => channel.onmessage(ev));
        return { generation_id: 1, status: "completed", conversation_id: 7 };
      }
      case "open_thread":
        if (args.id === 9)
          return Array.from({ length: 100 }, (_, i) => ({
            generation_id: 100 + i, turn_index: i, prompt: `Question ${i}?`, reasoning: "", answer: `Answer ${i}.`, status: "completed", created_at: 0,
          }));
        return [
          { generation_id: 3, turn_index: 0, prompt: "hi", reasoning: "", answer: "<img src=x onerror=alert(1)>", status: "completed", created_at: 0 },
        ];
      case "cancel":
        return true;
      case "audit_flag":
        return 1;
      default:
        return null;
    }
  });
});

afterEach(() => {
  localStorage.clear();
  clearMocks();
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

async function screen(): Promise<ChatScreen> {
  const s = new ChatScreen();
  document.body.appendChild(s.el);
  await s.show();
  return s;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

test("the threads sidebar lists the audit log's threads", async () => {
  const s = await screen();
  expect(s.el.querySelector("[data-thread='7']")?.textContent).toBe("Earlier thread");
});

test("tokens stream into the answer and reasoning goes in a collapsible panel", async () => {
  const seen: string[] = [];
  script = (send) => {
    send({ type: "started", generation_id: 1 });
    send({ type: "reasoning", text: "Let me " });
    send({ type: "reasoning", text: "think." });
    seen.push(document.querySelector(".reasoning summary")!.textContent!);
    send({ type: "token", text: "The sky " });
    send({ type: "token", text: "is **blue**." });
    send({ type: "done", generation_id: 1, stats: { prompt_tokens: 5, generated_tokens: 9, ttft_ms: 10, generation_tps: 40, stop_reason: "eos" } });
  };
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "Why is the sky blue?";
  await s.send();
  expect(seen).toEqual(["thinking…"]);
  const turn = s.el.querySelector(".turn.assistant") as HTMLElement;
  expect(turn.querySelector(".reasoning")?.tagName).toBe("DETAILS");
  expect(turn.querySelector(".reasoning-body")?.textContent).toBe("Let me think.");
  expect(turn.querySelector(".reasoning summary")?.textContent).toBe("Reasoning");
  expect(turn.querySelector(".answer")?.textContent).toBe("The sky is blue.");
  expect(turn.querySelector(".answer strong")?.textContent).toBe("blue");
  expect(turn.dataset.state).toBe("completed");
  expect(calls.find((c) => c.cmd === "send_message")?.args.text).toBe("Why is the sky blue?");
});

test("an input block shows the policy's message and category", async () => {
  script = (send) => {
    send({ type: "started", generation_id: 2 });
    send({ type: "blocked", stage: "input", action: "block", categories: ["S9"], spans: [[0, 4]], message: "I can't help with weapons." });
    send({ type: "done", generation_id: 2, stats: { prompt_tokens: 0, generated_tokens: 0, ttft_ms: 0, generation_tps: 0, stop_reason: null } });
  };
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "bomb, please";
  await s.send();
  // The span the input guard matched is marked in the prompt's bubble.
  const mark = s.el.querySelector(".turn.user .user-text mark.hit.block");
  expect(mark?.textContent).toBe("bomb");
  expect(s.el.querySelector(".turn.user")?.textContent).toBe("bomb, please");
  const notice = s.el.querySelector(".notice.blocked")!;
  expect(notice.querySelector(".notice-message")?.textContent).toBe("I can't help with weapons.");
  expect(notice.textContent).toContain("S9");
  expect((s.el.querySelector(".turn.assistant") as HTMLElement).dataset.state).toBe("blocked");
});

test("an output block retracts the streamed answer; a flag shows one badge", async () => {
  script = (send) => {
    send({ type: "verdict", stage: "output", action: "flag", categories: ["pii"], spans: [], message: null });
    send({ type: "verdict", stage: "output", action: "flag", categories: ["pii"], spans: [], message: null });
    send({ type: "token", text: "step one: " });
    send({ type: "blocked", stage: "output", action: "block", categories: ["S9"], spans: [], message: "Stopped." });
  };
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "x";
  await s.send();
  expect(s.el.querySelector(".answer")?.textContent).toBe("");
  expect(s.el.querySelector(".badge.flag")?.textContent).toContain("pii");
  expect(s.el.querySelectorAll(".badge").length).toBe(1); // the same finding twice is one badge
  expect(s.el.querySelector(".notice.blocked")).not.toBeNull();
});

test("flagged spans are marked in the answer and the reasoning; a redaction marks its placeholders", async () => {
  // Spans are UTF-8 byte offsets into the stage's text so far: "café " is 6 bytes.
  script = (send) => {
    send({ type: "reasoning", text: "User wants 555-0100 " });
    send({ type: "reasoning", text: "called." });
    send({ type: "verdict", stage: "reasoning", action: "flag", categories: ["pii"], spans: [[11, 19]], message: null });
    send({ type: "token", text: "café **mix bleach** " });
    send({ type: "token", text: "and ammonia" });
    send({ type: "verdict", stage: "output", action: "flag", categories: ["S9"], spans: [[8, 18]], message: null });
    send({ type: "verdict", stage: "output", action: "flag", categories: ["S9"], spans: [[8, 18], [25, 32]], message: null });
    send({ type: "done", generation_id: 3, stats: { prompt_tokens: 1, generated_tokens: 4, ttft_ms: 1, generation_tps: 1, stop_reason: "eos" } });
  };
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "x";
  await s.send();
  expect([...s.el.querySelectorAll(".reasoning-body mark")].map((m) => m.textContent)).toEqual(["555-0100"]);
  expect(s.el.querySelector(".reasoning-body")?.textContent).toBe("User wants 555-0100 called.");
  const marks = [...s.el.querySelectorAll(".answer mark.hit.flag")];
  expect(marks.map((m) => m.textContent)).toEqual(["mix bleach", "ammonia"]);
  expect(marks[0].parentElement?.tagName).toBe("STRONG");
  expect(marks[0].getAttribute("title")).toBe("S9 · flag");
  expect(s.el.querySelectorAll(".badge").length).toBe(2); // one per stage and finding, not per verdict

  script = (send) => {
    send({ type: "token", text: "mail jo@example.com" });
    send({ type: "verdict", stage: "output", action: "redact", categories: ["pii"], spans: [[5, 19]], message: null });
    send({ type: "redacted", text: "mail [EMAIL]" });
  };
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "y";
  await s.send();
  const last = [...s.el.querySelectorAll(".turn.assistant")].pop()!;
  expect(last.querySelector(".answer")?.textContent).toBe("mail [EMAIL]");
  expect([...last.querySelectorAll(".answer mark.hit.redact")].map((m) => m.textContent)).toEqual(["[EMAIL]"]);
});

test("a rejected send shows the error code and message", async () => {
  script = () => {
    throw { code: "no_model", message: "no model is loaded" };
  };
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "x";
  await s.send();
  expect(s.el.querySelector(".notice.error")?.textContent).toContain("no model is loaded");
});

test("Enter sends, Shift+Enter does not", async () => {
  script = (send) => send({ type: "token", text: "ok" });
  const s = await screen();
  const input = s.el.querySelector("#prompt") as HTMLTextAreaElement;
  input.value = "line";
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true, bubbles: true }));
  await tick();
  expect(calls.some((c) => c.cmd === "send_message")).toBe(false);
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  await tick();
  expect(calls.some((c) => c.cmd === "send_message")).toBe(true);
});

test("Esc stops a running answer", async () => {
  let release!: () => void;
  mockIPC((cmd) => {
    calls.push({ cmd, args: {} });
    if (cmd === "send_message") return new Promise((r) => (release = () => r({ generation_id: 1, status: "cancelled", conversation_id: 1 })));
    if (cmd === "list_threads") return [];
    return true;
  });
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "long";
  const sending = s.send();
  await tick();
  expect((s.el.querySelector("#stop") as HTMLButtonElement).hidden).toBe(false);
  s.onKey(new KeyboardEvent("keydown", { key: "Escape" }));
  await tick();
  expect(calls.some((c) => c.cmd === "cancel")).toBe(true);
  release();
  await sending;
  expect((s.el.querySelector("#stop") as HTMLButtonElement).hidden).toBe(true);
});

test("a reopened thread renders a recorded answer's HTML as text", async () => {
  const s = await screen();
  await s.openThread(7);
  expect(calls.find((c) => c.cmd === "open_thread")?.args.id).toBe(7);
  expect(s.el.querySelector(".messages img")).toBeNull();
  expect(s.el.querySelector(".answer")?.textContent).toBe("<img src=x onerror=alert(1)>");
});

const done = (id: number) =>
  ({ type: "done", generation_id: id, stats: { prompt_tokens: 1, generated_tokens: 1, ttft_ms: 1, generation_tps: 1, stop_reason: "eos" } }) as GenerationEvent;

test("the thread's style, language and sampling go with each turn and are remembered per thread", async () => {
  script = (send) => {
    send({ type: "started", generation_id: 1 });
    send({ type: "token", text: "{}" });
    send(done(1));
  };
  const s = await screen();
  const pick = (id: string, value: string) => {
    const el = s.el.querySelector(id) as HTMLSelectElement;
    el.value = value;
    el.dispatchEvent(new Event("change"));
    return el;
  };
  const style = s.el.querySelector("#style") as HTMLSelectElement;
  expect(style.value).toBe("plain");
  expect([...style.options].map((o) => o.value)).toEqual(["plain", "step-by-step", "json", "markdown"]);
  expect((s.el.querySelector("#language") as HTMLSelectElement).value).toBe("");
  expect((s.el.querySelector("#sampling") as HTMLSelectElement).value).toBe("recommended");
  pick("#style", "json");
  const lang = pick("#language", "fr");
  const sampling = pick("#sampling", "deterministic");
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "List three colours.";
  await s.send();
  expect(calls.find((c) => c.cmd === "send_message")?.args.options).toEqual({
    style: "json",
    language: "fr",
    sampling: "deterministic",
  });
  // The reply put the turn in thread 7. Thread 8 gets its own choices; each comes back with
  // its thread.
  await s.openThread(8);
  pick("#style", "markdown");
  pick("#language", "");
  pick("#sampling", "precise");
  await s.openThread(7);
  expect([style.value, lang.value, sampling.value]).toEqual(["json", "fr", "deterministic"]);
  await s.openThread(8);
  expect([style.value, lang.value, sampling.value]).toEqual(["markdown", "", "precise"]);
});

test("a thread without its own language starts with the settings' pin", async () => {
  const s = await screen();
  s.setDefaultLanguage("de");
  expect((s.el.querySelector("#language") as HTMLSelectElement).value).toBe("de");
  s.setDefaultLanguage(null);
  expect((s.el.querySelector("#language") as HTMLSelectElement).value).toBe("");
});

test("the model picker lists the folder's models and loads the one picked", async () => {
  const card = (file: string, error: string | null = null) => ({ path: `/m/${file}`, file_name: file, error });
  mockIPC((cmd, payload) => {
    calls.push({ cmd, args: (payload ?? {}) as Args });
    if (cmd === "list_models") return { models_dir: "/m", ram_total: null, models: [card("a.gguf"), card("b.gguf"), card("broken.gguf", "not a GGUF file")] };
    if (cmd === "list_threads") return [];
    return null;
  });
  const loads: string[] = [];
  const s = new ChatScreen(async (path) => {
    loads.push(path);
    return { file_name: path.split("/").pop()!, architecture: null, parameters: 0, quantization: null, context: 0, template: "" };
  });
  document.body.appendChild(s.el);
  s.setModel("a.gguf");
  await s.show();
  const picker = s.el.querySelector("#model-picker") as HTMLSelectElement;
  expect([...picker.options].map((o) => [o.textContent, o.disabled])).toEqual([
    ["a.gguf", false],
    ["b.gguf", false],
    ["broken.gguf", true],
  ]);
  expect(picker.value).toBe("/m/a.gguf");
  picker.value = "/m/b.gguf";
  picker.dispatchEvent(new Event("change"));
  await tick();
  expect(loads).toEqual(["/m/b.gguf"]);
  expect(picker.value).toBe("/m/b.gguf");
  expect(picker.disabled).toBe(false);
});

test("Regenerate asks the last prompt again", async () => {
  script = (send) => {
    send({ type: "started", generation_id: 1 });
    send({ type: "token", text: "answer" });
    send(done(1));
  };
  const s = await screen();
  const regen = s.el.querySelector("#regenerate") as HTMLButtonElement;
  expect(regen.disabled).toBe(true);
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "Name a river.";
  await s.send();
  expect(regen.disabled).toBe(false);
  regen.click();
  await tick();
  const sends = calls.filter((c) => c.cmd === "send_message");
  expect(sends.map((c) => c.args.text)).toEqual(["Name a river.", "Name a river."]);
  expect(s.el.querySelectorAll(".turn.assistant").length).toBe(2);
});

test("a finished answer can be copied and flagged with a reason", async () => {
  const writes: string[] = [];
  vi.stubGlobal("navigator", { clipboard: { writeText: async (t: string) => void writes.push(t) } });
  script = (send) => {
    send({ type: "started", generation_id: 42 });
    send({ type: "token", text: "Paris is the capital." });
    send(done(42));
  };
  const s = await screen();
  (s.el.querySelector("#prompt") as HTMLTextAreaElement).value = "Capital of France?";
  await s.send();
  const turn = s.el.querySelector(".turn.assistant") as HTMLElement;
  (turn.querySelector("button.copy") as HTMLButtonElement).click();
  await tick();
  expect(writes).toEqual(["Paris is the capital."]);
  expect(turn.querySelector("button.copy")?.textContent).toBe("Copied");

  (turn.querySelector("button.flag") as HTMLButtonElement).click();
  const form = turn.querySelector(".flag-form") as HTMLFormElement;
  form.dispatchEvent(new Event("submit", { cancelable: true }));
  expect(calls.some((c) => c.cmd === "audit_flag")).toBe(false); // a reason is required
  (form.querySelector(".flag-reason") as HTMLInputElement).value = "made-up fact";
  form.dispatchEvent(new Event("submit", { cancelable: true }));
  await tick();
  expect(calls.find((c) => c.cmd === "audit_flag")?.args).toEqual({ id: 42, reason: "made-up fact" });
  expect(turn.dataset.flagged).toBe("true");
  expect(turn.querySelector(".flag-form")).toBeNull();
});

test("Ctrl+K focuses the thread search, which filters by title; Enter opens the first match", async () => {
  const s = await screen();
  s.onKey(new KeyboardEvent("keydown", { key: "k", ctrlKey: true }));
  const search = s.el.querySelector("#thread-search") as HTMLInputElement;
  expect(document.activeElement).toBe(search);
  search.value = "SOURDOUGH start";
  search.dispatchEvent(new Event("input"));
  const shown = () => [...s.el.querySelectorAll(".thread-list [data-thread]")].map((b) => b.getAttribute("data-thread"));
  expect(shown()).toEqual(["8"]);
  search.value = "nothing like this";
  search.dispatchEvent(new Event("input"));
  expect(shown()).toEqual([]);
  expect(s.el.querySelector(".thread-list .empty")?.textContent).toBe("No thread matches.");
  search.value = "earlier";
  search.dispatchEvent(new Event("input"));
  search.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
  await tick();
  expect(calls.find((c) => c.cmd === "open_thread")?.args).toEqual({ id: 7 });
});

test("a long thread opens on its newest turns and pages older ones in when scrolled back", async () => {
  const s = await screen();
  await s.openThread(9);
  const messages = s.el.querySelector("#messages") as HTMLElement;
  const prompts = () => [...messages.querySelectorAll(".turn.user")].map((e) => e.textContent);
  expect(prompts().length).toBe(40);
  expect(prompts()[0]).toBe("Question 60?");
  expect(prompts().at(-1)).toBe("Question 99?");
  expect(messages.dataset.earlier).toBe("60");
  messages.scrollTop = 0;
  messages.dispatchEvent(new Event("scroll"));
  expect(prompts().length).toBe(80);
  expect(prompts()[0]).toBe("Question 20?");
  messages.dispatchEvent(new Event("scroll"));
  messages.dispatchEvent(new Event("scroll"));
  expect(prompts().length).toBe(100);
  expect(prompts()[0]).toBe("Question 0?");
  expect(messages.dataset.earlier).toBe("0");
  // Every recorded answer keeps its audit id, so it can be flagged.
  expect((messages.querySelector(".turn.assistant") as HTMLElement).dataset.generationId).toBe("100");
});
