"""Signals the monitoring app sends, for the apps above it to listen to (monitoring imports none
of them)."""

from django.dispatch import Signal

# An import added organisations or municipalities to the registry. Sent once its write has
# committed (``transaction.on_commit(..., robust=True)``: a receiver that fails is logged and the
# upload stays DONE), with ``organization_ids`` and ``municipality_ids``, lists of the new rows'
# ids. The importer writes the registry in bulk, so no model signal fires for them: rollout
# listens to this one to create their checklist and plan tasks.
registry_grown = Signal()

# The Monday recompute (``tasks.weekly_monday_task``) computed the week just ended for some
# regions. Sent after the computation, with ``region_ids`` (a list) and ``monday`` (the week's
# Monday, a date): notify listens to queue those regions' weekly digests.
week_computed = Signal()
