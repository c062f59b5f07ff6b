"""Celery beat can never run twice: it holds a lock in Redis for as long as it runs.

A second beat (a scaled service, a stray `make beat`) waits for the lock instead of
sending every scheduled task a second time; when the first beat dies its lock expires
after BEAT_LOCK_TTL seconds and the waiting one takes over. The lock's value names the
holder, which the compose health check compares with its own host name.
"""

import logging
import os
import socket
import sys
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

BEAT_LOCK_KEY = "shortscience:beat-lock"


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.BEAT_LOCK_URL or settings.CELERY_BROKER_URL)


def beat_lock_holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat_lock_acquire(*, client: redis.Redis, holder: str, ttl: int) -> bool:
    """Take the lock if nobody holds it (or we already do); True when we hold it."""
    if client.set(BEAT_LOCK_KEY, holder, nx=True, ex=ttl):
        return True
    if _text(client.get(BEAT_LOCK_KEY)) == holder:
        client.expire(BEAT_LOCK_KEY, ttl)
        return True
    return False


def beat_lock_renew(*, client: redis.Redis, holder: str, ttl: int) -> bool:
    """Extend our lock; False when somebody else holds it now."""
    script = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end"
    )
    return bool(client.eval(script, 1, BEAT_LOCK_KEY, holder, ttl))


def beat_lock_hold() -> None:
    """Block until this process holds the lock, then keep renewing it in a thread.

    Losing the lock (Redis emptied, a long pause) ends the process at once, so two beats
    never send the same schedule; the service manager starts it again to wait its turn.
    """
    if not (settings.BEAT_LOCK_URL or settings.CELERY_BROKER_URL).startswith("redis"):
        return  # no broker: tasks run in-process, nothing is scheduled twice
    client, holder, ttl = _client(), beat_lock_holder_name(), settings.BEAT_LOCK_TTL
    waited = False
    while not beat_lock_acquire(client=client, holder=holder, ttl=ttl):
        if not waited:
            logger.warning("another beat holds the lock; waiting for it to go")
            waited = True
        time.sleep(max(1, ttl // 4))
    logger.info("beat lock taken by %s", holder)

    def renew() -> None:
        while True:
            time.sleep(max(1, ttl // 3))
            try:
                held = beat_lock_renew(client=client, holder=holder, ttl=ttl)
            except redis.RedisError as exc:
                logger.warning("beat lock not renewed: %s", exc)
                continue  # Redis away: the schedule cannot be sent either
            if not held:
                print("beat lock lost to another beat; stopping", file=sys.stderr)
                os._exit(1)

    threading.Thread(target=renew, name="beat-lock", daemon=True).start()


def main() -> int:
    """Health check: exit 0 when a beat on this host holds the lock."""
    holder = _text(_client().get(BEAT_LOCK_KEY))
    if holder.split(":", 1)[0] == socket.gethostname():
        return 0
    print(f"beat lock held by {holder or 'nobody'}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.prod")
    django.setup()
    sys.exit(main())
