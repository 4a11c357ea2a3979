// A small Markdown renderer for model output that builds DOM nodes directly. Every piece of
// text becomes a Text node, so HTML in the model's output (`<img onerror=…>`, `<script>`) is
// shown as the characters it is and never parsed. Supported: paragraphs, headings, fenced
// code, bullet and numbered lists, block quotes, **bold**, *italic*, `code`. Links stay text:
// nothing in an answer can navigate the app or load a remote resource.

import { h } from "./dom";

export function renderMarkdown(src: string): DocumentFragment {
  const out = document.createDocumentFragment();
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++; // the closing fence (or the end while still streaming)
      const code = h("code", fence[2] ? { "data-lang": fence[2] } : {}, body.join("\n"));
      out.appendChild(h("pre", {}, code));
      continue;
    }
    if (line.trim() === "") {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(heading[1].length + 2, 6); // the page owns h1/h2
      const el = document.createElement(`h${level}`);
      el.appendChild(inline(heading[2]));
      out.appendChild(el);
      i++;
      continue;
    }
    const bullet = /^\s*([-*+]|\d+[.)])\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const list = document.createElement(ordered ? "ol" : "ul");
      while (i < lines.length && bullet.test(lines[i])) {
        list.appendChild(h("li", {}, inline(lines[i].replace(bullet, ""))));
        i++;
      }
      out.appendChild(list);
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s*>\s?/, ""));
      out.appendChild(h("blockquote", {}, renderMarkdown(quoted.join("\n"))));
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() !== "" &&
      !/^\s*(```|~~~)/.test(lines[i]) &&
      !/^#{1,6}\s/.test(lines[i]) &&
      !bullet.test(lines[i])
    ) {
      para.push(lines[i++]);
    }
    const p = document.createElement("p");
    para.forEach((l, n) => {
      if (n > 0) p.appendChild(document.createElement("br"));
      p.appendChild(inline(l));
    });
    out.appendChild(p);
  }
  return out;
}

const INLINE = /(`[^`\n]+`|\*\*[^*\n]+\*\*|__[^_\n]+__|\*[^*\n]+\*)/;

/** Inline spans: code, bold, italic. Everything else is a Text node. */
export function inline(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  for (const part of text.split(INLINE)) {
    if (!part) continue;
    if (part.length > 2 && part.startsWith("`") && part.endsWith("`")) {
      out.appendChild(h("code", {}, part.slice(1, -1)));
    } else if (part.length > 4 && (part.startsWith("**") || part.startsWith("__"))) {
      out.appendChild(h("strong", {}, part.slice(2, -2)));
    } else if (part.length > 2 && part.startsWith("*") && part.endsWith("*")) {
      out.appendChild(h("em", {}, part.slice(1, -1)));
    } else {
      out.appendChild(document.createTextNode(part));
    }
  }
  return out;
}
