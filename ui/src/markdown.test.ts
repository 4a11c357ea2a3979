import { describe, expect, test } from "vitest";
import { renderMarkdown } from "./markdown";

function render(src: string): HTMLElement {
  const div = document.createElement("div");
  div.appendChild(renderMarkdown(src));
  return div;
}

describe("renderMarkdown", () => {
  test("html in model output stays text and creates no element", () => {
    const el = render('Look: <img src=x onerror="document.title=\'pwned\'"> and <script>alert(1)</script>');
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(el.textContent).toContain("<img src=x onerror=");
    expect(el.textContent).toContain("<script>alert(1)</script>");
  });

  test("html inside code, bold and lists is inert too", () => {
    const el = render("**<b onmouseover=x>hi</b>**\n\n- <iframe src=//evil>\n\n```html\n<svg onload=alert(1)>\n```");
    expect(el.querySelectorAll("b, iframe, svg").length).toBe(0);
    expect(el.querySelector("strong")?.textContent).toBe("<b onmouseover=x>hi</b>");
    expect(el.querySelector("li")?.textContent).toBe("<iframe src=//evil>");
    expect(el.querySelector("pre code")?.textContent).toBe("<svg onload=alert(1)>");
  });

  test("links stay text: an answer cannot navigate the app", () => {
    const el = render("[click](javascript:alert(1)) https://example.com");
    expect(el.querySelector("a")).toBeNull();
    expect(el.textContent).toContain("javascript:alert(1)");
  });

  test("paragraphs, headings, lists, code and emphasis", () => {
    const el = render("# Title\n\nSome *fine* and **bold** `x+1`\nnext line\n\n1. one\n2. two\n\n> quoted");
    expect(el.querySelector("h3")?.textContent).toBe("Title");
    expect(el.querySelector("em")?.textContent).toBe("fine");
    expect(el.querySelector("strong")?.textContent).toBe("bold");
    expect(el.querySelector("p code")?.textContent).toBe("x+1");
    expect(el.querySelector("p br")).not.toBeNull();
    expect(el.querySelectorAll("ol li").length).toBe(2);
    expect(el.querySelector("blockquote")?.textContent).toBe("quoted");
  });

  test("an unclosed fence while streaming renders what came so far", () => {
    const el = render("```\nlet x = 1;");
    expect(el.querySelector("pre code")?.textContent).toBe("let x = 1;");
  });
});
