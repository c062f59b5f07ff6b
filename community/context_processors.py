def notifications(request):
    """Give templates the signed-in user's unread notification count, lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        from .selectors import unread_count

        return unread_count(user=user)

    def moderator():
        from .services import is_moderator

        return is_moderator(user)

    return {"unread_notifications": unread, "is_moderator": moderator}
