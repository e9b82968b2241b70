"""Throughput of triage.engine.triage() on one core.

Usage (from the repository root)::

    python bench/triage_bench.py            # or: python -m bench.triage_bench
    python bench/triage_bench.py --items 50000

Feeds the held-out split of the labelled set, repeated, through the public triage() in a
plain ``time.perf_counter`` loop (single process, single thread) and prints items/second.
Model loading is excluded (one warm-up call first) because it happens once per process.
Pages and similar-item counts are cycled so every impact-score branch is exercised.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

PAGES = ("", "/login", "/checkout", "https://shop.example.com/nl/winkelwagen?step=2", "/blog/x")
SIMILAR = (0, 1, 4, 25)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figure."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from triage.engine import dataset, triage
    from triage.engine.model import default_model

    parser = argparse.ArgumentParser(description="triage() items/second on one core")
    parser.add_argument("--items", type=int, default=20_000, help="items per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median reported)")
    args = parser.parse_args(argv)

    _, heldout = dataset.split(dataset.load())
    texts = [e.text for e in heldout]
    t0 = time.perf_counter()
    default_model()
    load_ms = (time.perf_counter() - t0) * 1000
    triage("warm-up")

    rates = []
    for _ in range(args.rounds):
        work = list(
            itertools.islice(
                zip(itertools.cycle(texts), itertools.cycle(PAGES), itertools.cycle(SIMILAR)),
                args.items,
            )
        )
        start = time.perf_counter()
        for text, page, similar in work:
            triage(text, page=page, similar_count=similar)
        elapsed = time.perf_counter() - start
        rates.append(args.items / elapsed)

    median = statistics.median(rates)
    print(f"model load: {load_ms:.0f} ms (once per process)")
    print(f"held-out texts: {len(texts)}, items per round: {args.items}, rounds: {args.rounds}")
    print("rounds: " + ", ".join(f"{r:,.0f}" for r in rates) + " items/s")
    print(f"triage(): {median:,.0f} items/s on one core ({1e6 / median:.0f} µs per item)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
