"""Triage: category, sentiment, impact and language for any text a domain app stores.

A shared app *below* the domain apps (feedback, annotations, reports): it imports
accounts, projects and config, never a domain app. ``triage.engine`` is the offline
classifier (no Django); ``triage.models`` gives the triaged columns as an abstract mixin
and the corrections people make; ``triage.services`` triages, re-triages (LLM pass) and
corrects any model built on the mixin. docs/triage.md.
"""
