"""How many of a token's last letters its word may not have, per language: what
app.search.highlights STEM_TAILS is set from.

    .venv/bin/python -m bench.stem_tails [LANGUAGES] [--sample N]

For each language search stems (app.search.languages STEMMERS), the words it can read
offline: the spell checker's list where it ships one (a sample of N), every word of the
locale data's names (languages, countries, months, units ...) of its locales, and the
relevance corpus's posts. For each word, its token and its parts' tokens, and the longest
beginning of each token whose highlighting probe occurs in the word; the *deficit* is the
letters past it. A language whose deficits stay small, and whose 3-letter probe misses no
word, may use probes of all but that many letters plus one; one whose stemmer rewrites
letters inside words shows large deficits or misses, and keeps the short probe.
"""

import argparse
import gzip
import importlib.resources
import json
import random
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import babel.localedata

from app.search.analyzer import Analyser
from app.search.highlights import _probe
from app.search.languages import STEMMERS
from app.search.words import word_spans
from bench.search_corpus import FILE as CORPUS

EXAMPLES = 4


def _strings(data: Any) -> Iterable[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, (list, tuple)):
        for value in data:
            yield from _strings(value)
    elif hasattr(data, "items"):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)


def vocabulary(language: str, sample: int, rng: random.Random) -> set[str]:
    """The words of ``language`` this machine has, as written."""
    words: set[str] = set()
    resource = importlib.resources.files("spellchecker") / "resources" / f"{language}.json.gz"
    if resource.is_file():
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as unpacked:
            listed = sorted(json.load(unpacked))
        words.update(rng.sample(listed, min(sample, len(listed))))
    texts: list[str] = []
    for locale in babel.localedata.locale_identifiers():
        if locale == language or locale.startswith(f"{language}_"):
            texts.extend(_strings(babel.localedata.load(locale)))
    posts = json.loads(CORPUS.read_text(encoding="utf-8"))["posts"]
    texts.extend(f"{p['title']} {p['body']}" for p in posts if p["language"] == language)
    for text in texts:
        words.update(text[span.start : span.end] for span in word_spans(text))
    if language == "de":
        umlauts = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
        words.update([word.translate(umlauts) for word in words])
    return words


@lru_cache(maxsize=1 << 16)
def _pattern(token: str, length: int) -> re.Pattern[str]:
    return re.compile(_probe(token, length))


def deficit(word: str, token: str) -> int | None:
    """The letters of ``token`` past its longest beginning (3 letters at least) whose probe
    occurs in ``word``; None when not even 3 do."""
    if len(token) <= 3:
        return 0
    for length in range(len(token), 2, -1):
        if _pattern(token, length).search(word):
            return len(token) - length
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("languages", nargs="?", default=",".join(sorted(STEMMERS)))
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(1)
    for language in args.languages.split(","):
        analyser = Analyser(language)
        deficits: Counter[int] = Counter()
        examples: dict[int | None, list[tuple[str, str]]] = {}
        for word in sorted(vocabulary(language, args.sample, rng)):
            if len(word) > 40:
                continue
            forms = analyser.word(word)
            for token in ((forms.token,) if forms.token else ()) + forms.parts:
                found = deficit(word, token)
                if found is not None:
                    deficits[found] += 1
                examples.setdefault(found, [])
                if len(examples[found]) < EXAMPLES:
                    examples[found].append((word, token))
        largest = max(deficits, default=0)
        missed = sum(1 for _ in examples.get(None, []))
        print(f"{language}: deficits {dict(sorted(deficits.items()))}, largest {largest}")
        if missed:
            print(f"   the 3-letter probe misses words: {examples[None]}")
        for found in sorted(deficits):
            if found >= 2:
                print(f"   {found}: {examples[found]}")


if __name__ == "__main__":
    main()
