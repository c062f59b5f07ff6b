"""Signals for other apps' concerns (notifications).

comment_posted: sent after commit when a comment or reply is posted. kwargs: comment
"""

from django.dispatch import Signal

comment_posted = Signal()
