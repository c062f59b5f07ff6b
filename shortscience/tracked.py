"""Versions kept in this process's memory while Redis tells it of every change to them.

A cache hit is valid while the versions of what the page shows stand (shortscience.cache).
Reading them costs a round trip to Redis on every hit, about as much CPU as the rest of
the hit. Redis's server-assisted client-side caching (CLIENT TRACKING, broadcast mode)
announces every change to a key under a prefix, so a process may keep the versions it read
and answer from memory until Redis says one moved:

- one thread a process holds a connection of its own that asks Redis to announce, to
  that same connection, every change to a key under the versions' prefix, and drops the
  named versions as the announcements arrive (all of them when a database is flushed);
- a value read from Redis is kept only if no announcement arrived while it was being read
  (`generation`): an announcement processed before the value is stored could not drop it;
- memory is trusted only while the connection is known to be up: the thread pings Redis
  when nothing else arrives, and a process that heard nothing for `LEASE_SECONDS`, or
  whose connection broke, reads from Redis again (and empties its memory before trusting
  it again);
- this process's own writes drop their versions from its memory at once (`drop`); another
  process learns of them when the announcement reaches it, within milliseconds.

Only the Redis cache does this; with any other cache (the embedded file cache) every read
goes to the cache, as before.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable

logger = logging.getLogger(__name__)

INVALIDATE_CHANNEL = "__redis__:invalidate"
CLIENT_NAME = "shortscience-versions"
# Keys `settle` writes to know when every earlier announcement was heard.
SETTLE_PREFIX = "versions-settle:"
# Nothing heard for this long (not even the answer to a ping): memory is not trusted.
LEASE_SECONDS = 5.0
PING_SECONDS = 1.0
RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
# At most this many versions are kept; past it, memory starts over.
MAX_KEYS = 200_000


class TrackedVersions:
    """A process's memory of version keys, kept right by Redis's change announcements."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix  # the versions' unprefixed key prefix, "v:"
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()
        self.generation = 0
        self.heard = float("-inf")  # when the connection last answered (monotonic)
        self.live = False  # subscribed, memory emptied since the last break
        self.pid: int | None = None
        self.stopping = threading.Event()
        self.awaited: dict[str, threading.Event] = {}  # markers `settle` waits for

    # Reading and writing memory ------------------------------------------------------

    def trusted(self) -> bool:
        if self.pid != os.getpid():
            self._start()
            return False
        return self.live and time.monotonic() - self.heard < LEASE_SECONDS

    def lookup(self, keys: Iterable[str]) -> tuple[dict[str, int], list[str], int]:
        """Return the versions of `keys` in memory, the keys not there, and the
        generation to hand back to `keep`."""
        found: dict[str, int] = {}
        missing: list[str] = []
        if not self.trusted():
            return found, list(keys), -1
        with self.lock:
            generation = self.generation
            values = self.values
            for key in keys:
                value = values.get(key)
                if value is None:
                    missing.append(key)
                else:
                    found[key] = value
        return found, missing, generation

    def keep(self, read: dict[str, int], generation: int) -> None:
        """Keep versions just read from Redis, unless an announcement came in since
        `lookup` gave `generation` (it may concern them)."""
        if generation < 0 or not read:
            return
        with self.lock:
            if generation != self.generation or not self.live:
                return
            if len(self.values) + len(read) > MAX_KEYS:
                self.values.clear()
            self.values.update(read)

    def drop(self, keys: Iterable[str]) -> None:
        """Forget versions that moved: this process's own writes, or those Redis
        announced."""
        with self.lock:
            self.generation += 1
            for key in keys:
                self.values.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.values.clear()

    # The connection that hears of changes ---------------------------------------------

    def _start(self) -> None:
        """Start listening in this process (after a fork, the parent's thread is gone)."""
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.live = False
            self.values.clear()
            self.generation += 1
        threading.Thread(
            target=self._listen, name="cache-versions", daemon=True
        ).start()

    def _connection(self):
        from django.core.cache import cache

        pool = cache.client.get_client(write=False).connection_pool
        kwargs = {
            **pool.connection_kwargs,
            "protocol": 2,  # announcements as pub/sub messages
            "socket_timeout": LEASE_SECONDS,
            "client_name": CLIENT_NAME,  # as CLIENT LIST shows it
        }
        return pool.connection_class(**kwargs), cache.make_key("")

    def _listen(self) -> None:
        """Listen, and after a failure listen again: a second later if it had been
        listening, else after a wait that doubles up to a minute (a Redis that refuses
        tracking)."""
        wait = RETRY_SECONDS
        while not self.stopping.is_set():
            connection = None
            try:
                connection, own_prefix = self._connection()
                self._subscribe(connection, own_prefix)
                wait = RETRY_SECONDS
                self._hear(connection, len(own_prefix))
            except Exception as exc:  # noqa: BLE001 (any failure: start over, untrusted)
                logger.info(
                    "cache change announcements lost, listening again in %.0f s: %s",
                    wait,
                    exc,
                )
            finally:
                self.live = False
                self.clear()
                if connection is not None:
                    connection.disconnect()
            self.stopping.wait(wait)
            wait = min(wait * 2, MAX_RETRY_SECONDS)

    def _subscribe(self, connection, own_prefix: str) -> None:
        connection.connect()
        connection.send_command("CLIENT", "ID")
        own = connection.read_response()
        connection.send_command(
            "CLIENT", "TRACKING", "ON", "REDIRECT", own, "BCAST",
            "PREFIX", own_prefix + self.prefix,
            "PREFIX", own_prefix + SETTLE_PREFIX,
        )  # fmt: skip
        connection.read_response()
        connection.send_command("SUBSCRIBE", INVALIDATE_CHANNEL)
        connection.read_response()
        # Announcements reach us from now on: what memory held before may be stale.
        self.clear()
        self.heard = time.monotonic()
        self.live = True

    def _hear(self, connection, cut: int) -> None:
        """Drop the versions Redis announces changed; `cut`: the length of the cache's
        own prefix of every key."""
        pinged = False
        while not self.stopping.is_set():
            if not connection.can_read(timeout=PING_SECONDS):
                if pinged and time.monotonic() - self.heard > LEASE_SECONDS:
                    raise ConnectionError("no answer to a ping")
                connection.send_command("PING")
                pinged = True
                continue
            message = connection.read_response()
            self.heard = time.monotonic()
            pinged = False
            if message[0] != b"message":
                continue  # the answer to a ping
            changed = message[2]
            if changed is None:  # a database flushed: everything
                self.clear()
                continue
            keys = [key.decode()[cut:] for key in changed]
            versions = [key for key in keys if key.startswith(self.prefix)]
            if versions:
                self.drop(versions)
            for key in keys:
                # .get: `settle` may stop waiting (and forget its marker) meanwhile.
                awaited = self.awaited.get(key)
                if awaited is not None:
                    awaited.set()

    def settle(self, timeout: float = 2.0) -> None:
        """Wait until this process has heard every change Redis announced so far.

        Announcements arrive in order: once one for a marker written now is heard, all
        before it were. For tests and tools that change Redis behind the site's back.
        """
        from django.core.cache import cache

        deadline = time.monotonic() + timeout
        while not self.trusted():  # starts listening in this process if need be
            if time.monotonic() > deadline:
                raise TimeoutError(f"not listening to Redis after {timeout} s")
            time.sleep(0.01)

        marker = f"{SETTLE_PREFIX}{uuid.uuid4().hex}"
        heard = self.awaited[marker] = threading.Event()
        try:
            cache.set(marker, 1, timeout=60)
            if not heard.wait(max(deadline - time.monotonic(), 0)):
                raise TimeoutError(f"Redis announced no change within {timeout} s")
        finally:
            del self.awaited[marker]
            cache.delete(marker)

    def stop(self) -> None:
        self.stopping.set()
