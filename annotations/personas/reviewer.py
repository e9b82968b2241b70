"""The built-in reviewer: one persona's checks over one capture, in the persona's voice.

Offline and deterministic (annotations.personas.checks). A persona runs the checks it lists
(``Persona.checks``; unknown names are reported, not guessed at); each finding's message is
the check's finding as the persona says it. A persona none of whose checks apply says so in
one ``note`` finding instead of inventing something to say.

Verdict: ``fail`` when any check failed, ``concerns`` when any raised a concern, else
``pass``. Severity: the highest severity among failed and concerning checks, ``none`` when
there are none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotations.personas.checks import CHECKS, SEVERITIES, Capture, CheckResult

ORDER = {"fail": 0, "concern": 1, "note": 2, "pass": 3, "skipped": 4}


@dataclass(frozen=True, slots=True)
class Review:
    verdict: str
    severity: str
    findings: list[dict[str, Any]] = field(default_factory=list)


def capture_of(
    *, element: Any, styles: Any, viewport: Any, comment: str = "", page_url: str = ""
) -> Capture:
    """A capture from an annotation's stored JSON; anything that is not an object is read as
    empty, so a malformed capture skips checks instead of crashing the run."""

    def as_map(value: Any) -> Mapping[str, Any]:
        return value if isinstance(value, Mapping) else {}

    return Capture(as_map(element), as_map(styles), as_map(viewport), comment or "", page_url or "")


def run_checks(check_names: Iterable[str], capture: Capture) -> list[CheckResult]:
    results = []
    for name in dict.fromkeys(check_names):  # de-duplicated, order kept
        check = CHECKS.get(name)
        if check is None:
            results.append(
                CheckResult(name, "skipped", "none", f"There is no built-in check called '{name}'.")
            )
            continue
        results.append(check(capture))
    return results


def review(*, persona_name: str, check_names: Iterable[str], capture: Capture) -> Review:
    results = sorted(
        run_checks(check_names, capture),
        key=lambda r: (ORDER[r.outcome], -SEVERITIES.index(r.severity)),
    )
    findings = []
    for result in results:
        finding = result.as_dict()
        finding["message"] = f"{persona_name}: {result.message}"
        findings.append(finding)
    outcomes = {r.outcome for r in results}
    if not outcomes - {"skipped"}:
        reasons = "; ".join(r.message for r in results) or "I have no built-in checks."
        findings.insert(
            0,
            {
                "check": "none",
                "outcome": "note",
                "severity": "none",
                "message": f"{persona_name}: none of my built-in checks apply to this capture, "
                f"so I have nothing to report. ({reasons})",
                "evidence": {},
                "suggested_fix": "",
                "source": "",
            },
        )
    verdict = "fail" if "fail" in outcomes else "concerns" if "concern" in outcomes else "pass"
    ranked = [r.severity for r in results if r.outcome in ("fail", "concern")]
    severity = max(ranked, key=SEVERITIES.index) if ranked else "none"
    return Review(verdict=verdict, severity=severity, findings=findings)
