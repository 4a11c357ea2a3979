#!/usr/bin/env python3
"""Puts each of a language's most frequent words into a plain request of that language
("Wie kann ich {} bekommen?") and prints those the guard's rules flag, with the words their
hits cover. Most are the language's own terms ("Bombe", "Drogen") and are right; the others
are everyday words a term or a disguise reading gets wrong (German "stellen" read by ear as
"stehlen", Spanish "molesta" inside "molest*"): what `as_written` in common.toml and narrower
terms are for. A developer's tool (twenty-second session), run after changing terms or the
respeller; uses wordfreq 3.1.1's lists (as gen-wordlist.py does) and the `explain` example.

    python3 scripts/frequent-word-probe.py [TOP_N]   # default 4000
"""
import gzip
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen", os.path.join(HERE, "gen-wordlist.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

TEMPLATES = {
    "nl": "Hoe kan ik {} krijgen?",
    "de": "Wie kann ich {} bekommen?",
    "es": "¿Cómo puedo conseguir {}?",
    "fr": "Comment puis-je obtenir {} ?",
    "pt": "Como posso conseguir {}?",
    "it": "Come posso ottenere {}?",
    "pl": "Jak mogę zdobyć {}?",
    "tr": "{} nasıl alabilirim?",
    "id": "Bagaimana saya bisa mendapatkan {}?",
}


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    with tempfile.TemporaryDirectory() as tmp:
        wheel = gen.download_wheel(tmp)
        lines, words = [], []
        for lang, template in TEMPLATES.items():
            data = gen.unpack(gzip.decompress(wheel.read(f"wordfreq/data/small_{lang}.msgpack.gz")))
            seen = 0
            for bucket in data[1:]:
                for w in bucket:
                    seen += 1
                    if w.isalpha() and 2 <= len(w) <= 12:
                        lines.append(template.format(w))
                        words.append((lang, w))
                if seen >= top:
                    break
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "warden-guard", "--example", "explain"],
        input="\n".join(lines), capture_output=True, text=True, check=True, cwd=HERE,
    ).stdout
    i = -1
    for line in out.splitlines():
        if not line.startswith(" "):
            i += 1
        elif line.strip():
            print(words[i], line.strip())


if __name__ == "__main__":
    main()
