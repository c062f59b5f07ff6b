"""Signals other apps listen to, for concerns that are theirs (search index, notices).

summary_published: sent once, after commit, when a summary first becomes public.
    kwargs: summary (a Summary instance)
summary_changed: sent after commit whenever a summary's text or visibility changed.
    kwargs: summary
"""

from django.dispatch import Signal

summary_published = Signal()
summary_changed = Signal()
