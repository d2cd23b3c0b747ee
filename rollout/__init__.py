"""Checklists per actor and the district action plan: templates, instances, progress."""
