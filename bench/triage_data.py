"""Rebuild the licensed real-feedback training data shipped in triage/engine/data/real/.

Usage (from the repository root)::

    python -m bench.triage_data            # rewrites triage/engine/data/real/*.jsonl
    python -m bench.triage_data --check    # exits 1 if a shipped file differs from its source

Every source is pinned to a commit and read with ``git show`` from a local bare mirror
(``--mirror-root``, default /work/.mirror) or, if there is none, a fresh ``git clone --bare``
of the GitHub URL. The labels are mapped to the engine's fine labels (bug / feature /
question / other) and every row keeps its provenance in ``source``. Only sources whose
licence allows redistribution are listed here (docs/triage.md, "Real data: manifest");
sources without a licence are read by bench/triage_eval.py for evaluation only.

Off limits, never read: the Mini-BAR reviews and the same group's APIA 2022 French review
set (the hidden evaluation draws on them), and anything that republishes them.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL_DIR = ROOT / "triage" / "engine" / "data" / "real"
TEXT_MAX = 2_000


@dataclass(frozen=True)
class TrainSource:
    """One pinned, licensed, labelled source and how to turn it into training rows."""

    name: str
    repo: str
    commit: str
    licence: str
    build: Callable[[Callable[[str], str]], list[dict[str, str]]]


def git_show(repo: str, commit: str, path: str, mirror_root: Path) -> str:
    """``path`` at ``commit`` of GitHub ``repo``, from a local bare mirror or a clone."""
    mirror = mirror_root / repo.replace("/", "+") / "repo"
    if not mirror.exists():
        mirror = mirror_root / f"{repo.replace('/', '+')}.git"
    if not mirror.exists():
        mirror.parent.mkdir(parents=True, exist_ok=True)
        url = f"https://github.com/{repo}.git"
        subprocess.run(["git", "clone", "--bare", "-q", url, str(mirror)], check=True)
    show = ["git", "-C", str(mirror), "show", f"{commit}:{path}"]
    return subprocess.run(show, check=True, capture_output=True, text=True).stdout


# Maalej, Kurtanović, Nabil, Stanik: "On the automatic classification of app reviews",
# REJ 2016 (App Store and Google Play reviews, one file per label), as republished under CC0
# by adailtonaraujo/app_review_analysis. A review can sit in several files: a bug label wins
# over a feature label, and either wins over rating / user experience (both "other": praise,
# star ratings, descriptions of use, nothing to fix or build).
_MAALEJ_FILES = (
    ("Bug", "bug"),
    ("Feature", "feature"),
    ("Rating", "other"),
    ("UserExperience", "other"),
)
_PRIORITY = {"bug": 0, "feature": 1, "other": 2}


def _maalej(show: Callable[[str], str]) -> list[dict[str, str]]:
    best: dict[str, dict[str, str]] = {}
    for file, label in _MAALEJ_FILES:
        raw = show(f"Classification/Dataset/{file}.json")
        rows = json.loads(re.sub(r",\s*\]\s*$", "]", raw))  # the files end in ",\n]"
        for r in rows:
            title = (r.get("title") or "").strip()
            body = (r.get("comment") or "").strip()
            text = f"{title}\n{body}" if title else body
            if not body:
                continue
            key = " ".join(text.lower().split())
            row = {
                "text": text[:TEXT_MAX],
                "lang": "en",
                "category": label,
                "group": f"maalej2016-{r['id']}-{file}",
                "source": f"maalej2016:{file}:{r['id']}",
            }
            if key not in best or _PRIORITY[label] < _PRIORITY[best[key]["category"]]:
                best[key] = row
    return sorted(best.values(), key=lambda r: r["source"])


TRAIN_SOURCES = (
    TrainSource(
        name="maalej2016",
        repo="adailtonaraujo/app_review_analysis",
        commit="b0d8d32273d5d4edc70184a3d36d3fc5420938cc",
        licence="CC0 1.0 (LICENSE in the repository)",
        build=_maalej,
    ),
)


def render(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    status = 0
    for src in TRAIN_SOURCES:

        def show(path: str, src: TrainSource = src) -> str:
            return git_show(src.repo, src.commit, path, args.mirror_root)

        rows = src.build(show)
        target = REAL_DIR / f"{src.name}.jsonl"
        text = render(rows)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["category"]] = counts.get(r["category"], 0) + 1
        print(f"{src.name}: {len(rows)} rows {counts} from {src.repo}@{src.commit[:12]}")
        if args.check:
            same = target.exists() and target.read_text(encoding="utf-8") == text
            print(f"  {target.relative_to(ROOT)}: {'up to date' if same else 'DIFFERS'}")
            status |= not same
        else:
            REAL_DIR.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"  wrote {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")
    return status


if __name__ == "__main__":
    sys.exit(main())
