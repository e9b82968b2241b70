"""Signals other apps hook into without accounts importing them.

``workspace_created`` is sent by ``services.workspace_create`` inside its transaction
(``sender=Workspace``, ``workspace=``), so what a receiver writes (the default personas)
commits or rolls back with the workspace.
"""

from django.dispatch import Signal

workspace_created = Signal()
