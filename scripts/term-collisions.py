#!/usr/bin/env python3
"""Lists the guard's one-word English rule terms that are also among the most frequent words
of another language: a term meant for English that matches an article or a pronoun elsewhere
("die" is the German article; "kind" the German and Dutch "child"). Each line is a term, its
English frequency rank and the languages where it ranks in the top N, for a person to read:
most hits are a language's own terms (German objects are German words) and are fine.

A developer's tool (twenty-second session), run after adding English one-word terms; needs
Python 3.11+ (tomllib) and pip (wordfreq 3.1.1's lists come from its PyPI wheel, as in
gen-wordlist.py). Nothing here runs at run time.

    python3 scripts/term-collisions.py [TOP_N]   # default 1500
"""
import glob
import gzip
import importlib.util
import os
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen", os.path.join(HERE, "gen-wordlist.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

OTHERS = ["es", "fr", "de", "pt", "it", "nl", "pl", "tr", "id", "ru", "uk"]


def ranks(wheel, lang, limit):
    data = gen.unpack(gzip.decompress(wheel.read(f"wordfreq/data/small_{lang}.msgpack.gz")))
    rank = {}
    for bucket in data[1:]:
        for w in bucket:
            rank.setdefault(gen.canonical(w), len(rank))
        if len(rank) > limit:
            break
    return rank


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    with tempfile.TemporaryDirectory() as tmp:
        wheel = gen.download_wheel(tmp)
        english = ranks(wheel, "en", 20000)
        others = {lang: ranks(wheel, lang, top) for lang in OTHERS}
    rules = os.path.join(HERE, "..", "crates", "guard", "rules")
    for path in sorted(glob.glob(os.path.join(rules, "s*.toml"))):
        with open(path, "rb") as f:
            cat = tomllib.load(f)
        for role in ("strong", "objects", "actions"):
            for term in cat.get(role, []):
                word = gen.canonical(term.strip("*"))
                if " " in word or not word.isalpha() or word not in english:
                    continue
                hits = [(lang, r[word]) for lang, r in others.items() if r.get(word, top) < top]
                if hits:
                    print(f"{os.path.basename(path)} {role} {term!r} en#{english[word]} {hits}")


if __name__ == "__main__":
    main()
