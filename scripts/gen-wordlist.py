#!/usr/bin/env python3
"""Writes crates/guard/data/words.txt and words_en.txt: the real words the guard must not
read as disguised term words (a typo), and which tell an English text from another.

The words are the frequent ones of wordfreq 3.1.1's "small" lists (words seen at least once
per million, from Wikipedia, subtitles, news, books, the web; data CC-BY-SA 4.0, by Robyn
Speer and contributors, https://github.com/rspeer/wordfreq): English in words_en.txt, the
eleven other languages the rules read or must leave alone in words.txt (a word of both is in
both). Each word is written as the guard's normalizer writes it (lowercase, diacritics
dropped, `ł ı đ` folded), of four letters or more, letters only, one language script each;
each file is sorted by bytes, one word a line, so the guard looks a word up by bisection
without building anything (`words::tests::word_lists_are_canonical_and_sorted` checks the
spelling and the order).

A developer's tool, run when the lists should change; its output is committed. Needs Python
3 and pip (the wheel comes from PyPI); nothing Python runs at run time.

    python3 scripts/gen-wordlist.py
"""
import gzip
import os
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

VERSION = "3.1.1"
# The Latin and Cyrillic languages, and the dev set's others written so; English first.
LANGS = ["en", "es", "fr", "de", "pt", "it", "ru", "uk", "nl", "pl", "tr", "id"]
# The most frequent this many words of four letters or more, per language.
PER_LANG = 30000
MIN_CHARS = 4
OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "guard", "data", "words.txt")
# The English words apart: which real words of a text are English only, which another
# language's (words.txt holds the eleven others).
OUT_EN = os.path.join(os.path.dirname(__file__), "..", "crates", "guard", "data", "words_en.txt")


def unpack(b: bytes):
    """The part of MessagePack wordfreq's lists use: maps, arrays, strings, small ints."""
    pos = 0

    def read():
        nonlocal pos
        t = b[pos]
        pos += 1
        if t <= 0x7F:
            return t
        if 0x80 <= t <= 0x8F or t in (0xDE, 0xDF):
            n = t & 0x0F if t <= 0x8F else length(t == 0xDE)
            return {read(): read() for _ in range(n)}
        if 0x90 <= t <= 0x9F or t in (0xDC, 0xDD):
            n = t & 0x0F if t <= 0x9F else length(t == 0xDC)
            return [read() for _ in range(n)]
        if 0xA0 <= t <= 0xBF or t in (0xD9, 0xDA, 0xDB):
            if t <= 0xBF:
                n = t & 0x1F
            else:
                size = {0xD9: 1, 0xDA: 2, 0xDB: 4}[t]
                n = int.from_bytes(b[pos : pos + size], "big")
                pos += size
            s = b[pos : pos + n].decode("utf-8")
            pos += n
            return s
        if t == 0xCC:
            pos += 1
            return b[pos - 1]
        raise ValueError(f"msgpack type {t:#x} not handled")

    def length(short: bool):
        nonlocal pos
        size = 2 if short else 4
        n = int.from_bytes(b[pos : pos + size], "big")
        pos += size
        return n

    return read()


def canonical(word: str) -> str:
    """The guard normalizer's spelling of a word: NFKD with the combining diacritics
    (U+0300-036F and the other combining blocks) dropped, `ł ı đ` folded, lowercase."""
    out = []
    for c in unicodedata.normalize("NFKD", word):
        o = ord(c)
        if 0x300 <= o <= 0x36F or 0x1AB0 <= o <= 0x1AFF or 0x1DC0 <= o <= 0x1DFF \
                or 0x20D0 <= o <= 0x20FF:
            continue
        out.append({"ł": "l", "Ł": "l", "ı": "i", "đ": "d", "Đ": "d"}.get(c, c))
    return "".join(out).lower()


def mixed(word: str) -> bool:
    """Latin and Cyrillic letters in one word ("iншi"): a scraping accident."""
    return any("a" <= c <= "z" for c in word) and any("\u0400" <= c <= "\u04ff" for c in word)


def download_wheel(tmp: str) -> zipfile.ZipFile:
    """wordfreq's wheel from PyPI, downloaded into the directory `tmp`."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q",
         "--disable-pip-version-check", "-d", tmp, f"wordfreq=={VERSION}"],
        check=True,
    )
    return zipfile.ZipFile(os.path.join(tmp, f"wordfreq-{VERSION}-py3-none-any.whl"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wheel = download_wheel(tmp)
        words = set()
        english = set()
        for lang in LANGS:
            data = unpack(gzip.decompress(wheel.read(f"wordfreq/data/small_{lang}.msgpack.gz")))
            kept = 0
            for bucket in data[1:]:  # by frequency, most frequent first
                for w in bucket:
                    c = canonical(w)
                    if len(c) < MIN_CHARS or not c.isalpha() or mixed(c):
                        continue
                    (english if lang == "en" else words).add(c)
                    kept += 1
                    if kept >= PER_LANG:
                        break
                if kept >= PER_LANG:
                    break
            print(f"{lang}: {kept} words", file=sys.stderr)
    for out, kept in [(OUT, words), (OUT_EN, english)]:
        lines = sorted(kept, key=lambda w: w.encode("utf-8"))
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(w + "\n" for w in lines))
        print(f"{len(lines)} words, {os.path.getsize(out)} bytes -> {os.path.relpath(out)}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
