"""The shipped default personas (annotations/personas/defaults.json), read once.

The file is the one reviewed source of the 60 defaults: workspace creation seeds from it,
the data migration seeds existing workspaces from it, and reset-defaults restores from it.
``load_defaults`` validates it (unique slugs, known checks, slug-shaped categories) so a bad
edit fails the test suite and the first request, not a run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from annotations.personas.checks import CHECK_IDS

DEFAULTS_PATH = Path(__file__).with_name("defaults.json")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class DefaultPersona:
    slug: str
    name: str
    category: str
    description: str
    instructions: str
    checks: tuple[str, ...]
    run_by_default: bool = False

    def fields(self) -> dict[str, object]:
        """The Persona columns a reset writes."""
        return {
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "instructions": self.instructions,
            "checks": list(self.checks),
            "is_default": True,
        }


def parse_defaults(raw: str) -> tuple[DefaultPersona, ...]:
    data = json.loads(raw)
    personas = []
    seen: set[str] = set()
    for entry in data["personas"]:
        persona = DefaultPersona(
            slug=entry["slug"],
            name=entry["name"],
            category=entry["category"],
            description=entry["description"],
            instructions=entry["instructions"],
            checks=tuple(entry["checks"]),
            run_by_default=bool(entry.get("run_by_default", False)),
        )
        if persona.slug in seen or not SLUG.match(persona.slug):
            raise ValueError(f"defaults.json: slug {persona.slug!r} is duplicated or malformed")
        if not SLUG.match(persona.category):
            raise ValueError(f"defaults.json: category {persona.category!r} is not a slug")
        unknown = set(persona.checks) - set(CHECK_IDS)
        if unknown:
            raise ValueError(f"defaults.json: {persona.slug} names unknown checks {unknown}")
        seen.add(persona.slug)
        personas.append(persona)
    return tuple(personas)


@lru_cache(maxsize=1)
def load_defaults() -> tuple[DefaultPersona, ...]:
    return parse_defaults(DEFAULTS_PATH.read_text(encoding="utf-8"))


def default_by_slug() -> dict[str, DefaultPersona]:
    return {p.slug: p for p in load_defaults()}


def default_run_slugs() -> tuple[str, ...]:
    """The documented default set of run-personas (``run_by_default`` in the file)."""
    return tuple(p.slug for p in load_defaults() if p.run_by_default)
