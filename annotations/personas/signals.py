"""Every new workspace starts with the shipped default personas."""

from __future__ import annotations

from typing import Any

from accounts.models import Workspace
from annotations.personas.services import seed_default_personas


def seed_new_workspace(sender: type[Workspace], *, workspace: Workspace, **kwargs: Any) -> None:
    seed_default_personas(workspace)
