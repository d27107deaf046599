"""How fast the two segmenters behind the item rules cut the texts of an item export.

Generates N records with bench_items' generator, collects every free text the rules may
read as words (names, notes, step names, criteria), and times, for rjieba (what govscore
uses) and jieba (pure Python; `pip install jieba` to compare): loading with the domain
words added, and cutting every text once (median of 3 runs; the rules cache repeated
texts, so this is an upper bound on what a run spends cutting).

    .venv/bin/python bench/bench_words.py [--count 100000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench_items import clean_record

from govscore.items.rules import text_fields
from govscore.items.words import DOMAIN_WORDS, department_words


def texts_of(count: int) -> list[str]:
    rng = random.Random(7)
    return [text for n in range(count) for _, text in text_fields(clean_record(n, rng))]


def timed(load: Callable[[], Any], cut: Callable[[Any, str], Any], texts: list[str]) -> str:
    started = time.perf_counter()
    segmenter = load()
    loaded = time.perf_counter() - started
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            cut(segmenter, text)
        runs.append(time.perf_counter() - started)
    return f"load {loaded:.2f} s, cut all {statistics.median(runs):.2f} s"


def load_rjieba() -> Any:
    import rjieba

    segmenter = rjieba.Jieba()
    for word in (*DOMAIN_WORDS, *department_words()):
        segmenter.add_word(word, None, None)
    return segmenter


def load_jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    for word in (*DOMAIN_WORDS, *department_words()):
        segmenter.add_word(word)
    return segmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    texts = texts_of(args.count)
    print(f"{len(texts):,} texts ({len(set(texts)):,} distinct) from {args.count:,} records")
    print("rjieba:", timed(load_rjieba, lambda s, t: s.cut(t, False), texts))
    try:
        print("jieba: ", timed(load_jieba, lambda s, t: list(s.cut(t, HMM=False)), texts))
    except ImportError:
        print("jieba:  not installed (pip install jieba to compare)")


if __name__ == "__main__":
    main()
