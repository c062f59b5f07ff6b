"""KaTeX running in an embedded V8 (mini-racer): typesets formulas on the server."""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from markdown_it.common.utils import escapeHtml
from py_mini_racer import JSTimeoutException, MiniRacer

# A script stopped by its timeout: py_mini_racer raises JSTimeoutException, or, when the
# timeout cancels the script just as it ends, JSTerminatedException (not exported at the
# package's top level). Either way the formula took too long; the engine is fine.
from py_mini_racer._exc import JSTerminatedException

_TIMED_OUT = (JSTimeoutException, JSTerminatedException)

logger = logging.getLogger(__name__)

# The project root: this file is shortscience/markup/engine.py.
_DEFAULT_KATEX_JS_PATH = (
    Path(__file__).resolve().parents[2] / "node_modules/katex/dist/katex.min.js"
)

# Wall-clock budget for typesetting one document. Legitimate summaries take
# milliseconds; KaTeX goes superlinear on huge formulas (40k characters take
# seconds), and the V8 context is shared, so a runaway formula must be cut off.
_TYPESET_TIMEOUT_SEC = 2.0
# When the document overruns, formulas are retried one by one with this cap
# each, so one runaway formula cannot starve the rest.
_FORMULA_TIMEOUT_SEC = 0.5

# Commands that LaTeX users expect and KaTeX 0.16 lacks. \bm, \argmax and
# \argmin are built in already.
_KATEX_MACROS = {
    r"\mbox": r"\text{#1}",
    r"\mathds": r"\mathbb{#1}",
}

_KATEX_OPTIONS = {
    "output": "htmlAndMathml",
    "throwOnError": True,
    "strict": "ignore",
    # Untrusted input: \href, \url, \includegraphics and \html* stay inert.
    "trust": False,
    "maxSize": 50,
    "maxExpand": 1000,
}

# Typeset a JSON list of [tex, displayMode] pairs and return a JSON list of
# {"html": ...} or {"error": ...}. Strings cross the boundary instead of JS
# objects so no proxy objects outlive the call. One macros object is shared by
# the formulas of a document, so a \gdef applies to later formulas of the same
# document only.
_TYPESET_JS = """
function __shortscienceTypeset(items, options, macros) {
  var shared = Object.assign({}, macros);
  return JSON.stringify(items.map(function (item) {
    var opts = Object.assign({}, options, {displayMode: item[1], macros: shared});
    try {
      return {html: katex.renderToString(item[0], opts)};
    } catch (e) {
      var message = e && (e.rawMessage || e.message);
      return {error: String(message || e)};
    }
  }));
}
"""


def _katex_js_path() -> Path:
    """Return the KaTeX bundle to load, honouring `settings.KATEX_JS_PATH`."""
    try:
        from django.conf import settings
    except ImportError:
        return _DEFAULT_KATEX_JS_PATH
    configured = (
        getattr(settings, "KATEX_JS_PATH", None) if settings.configured else None
    )
    if configured:
        return Path(configured)
    return _DEFAULT_KATEX_JS_PATH


def _katex_version() -> str:
    package_json = _katex_js_path().parent.parent / "package.json"
    try:
        return json.loads(package_json.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        # Rendering still works (formulas degrade to source); the version makes
        # sure everything is re-rendered once KaTeX is installed.
        return "unknown"


class _Typeset(NamedTuple):
    html: str | None
    error: str | None


class _KatexEngine:
    """One V8 context per process with KaTeX loaded, used under a lock.

    V8 contexts are not thread-safe, and a context per thread would reload
    KaTeX (about 150 ms) for every request under a thread-per-request server.
    The context is rebuilt after a fork: the child does not inherit the
    thread that drives it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._racer: MiniRacer | None = None
        self._pid = 0
        self._thread: ThreadPoolExecutor | None = None
        self._thread_pid = 0

    def _worker(self) -> ThreadPoolExecutor:
        # MiniRacer refuses timeouts in a thread that runs an asyncio loop (an async
        # caller, Playwright's sync API in tests), so every call into V8 goes through
        # one plain thread of the engine's own, whoever the caller is.
        if self._thread is None or self._thread_pid != os.getpid():
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="katex")
            self._thread_pid = os.getpid()
        return self._thread

    def _context(self) -> MiniRacer:
        if self._racer is None or self._pid != os.getpid():
            racer = MiniRacer()
            try:
                racer.eval(_katex_js_path().read_text(encoding="utf-8"))
                racer.eval(_TYPESET_JS)
            except BaseException:
                racer.close()
                raise
            self._racer, self._pid = racer, os.getpid()
        return self._racer

    def close(self) -> None:
        """Free the V8 context; the next call builds a new one."""
        with self._lock:
            self._discard()

    def _discard(self) -> None:
        racer, self._racer = self._racer, None
        if racer is not None and self._pid == os.getpid():
            try:
                racer.close()
            except Exception:
                logger.exception("Closing the KaTeX context failed")

    def _run(self, items: list[tuple[str, bool]], timeout: float) -> list[_Typeset]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._run_here(items, timeout)  # the usual case: no thread hop
        return self._worker().submit(self._run_here, items, timeout).result()

    def _run_here(
        self, items: list[tuple[str, bool]], timeout: float
    ) -> list[_Typeset]:
        racer = self._context()
        raw = racer.call(
            "__shortscienceTypeset",
            items,
            _KATEX_OPTIONS,
            _KATEX_MACROS,
            timeout_sec=timeout,
        )
        return [_Typeset(r.get("html"), r.get("error")) for r in json.loads(raw)]

    def warm(self) -> None:
        """Load KaTeX now if it is not loaded, so a timed render does not pay for it."""
        with self._lock:
            if self._racer is not None and self._pid == os.getpid():
                return
            try:
                self._run([("x", False)], _TYPESET_TIMEOUT_SEC)
            except Exception:
                self._fail()

    def typeset(
        self, items: list[tuple[str, bool]], *, timeout: float | None = None
    ) -> list[_Typeset]:
        """Typeset each (tex, display) pair; never raise.

        With a `timeout` (seconds), no formula runs past it: those left are marked
        as taking too long.
        """
        if not items:
            return []
        deadline = None if timeout is None else time.monotonic() + timeout

        def budget(cap: float) -> float:
            if deadline is None:
                return cap
            return min(cap, deadline - time.monotonic())

        with self._lock:
            if budget(_TYPESET_TIMEOUT_SEC) <= 0:
                return [_TOO_LONG] * len(items)
            try:
                return self._run(items, budget(_TYPESET_TIMEOUT_SEC))
            except _TIMED_OUT:
                pass
            except Exception:
                self._fail()
                return [_UNAVAILABLE] * len(items)
            # Retry one at a time under a fresh budget, so one runaway formula
            # does not take the rest of the document down with it. V8 stops
            # the script on timeout and the context stays usable.
            retry_end = time.monotonic() + _TYPESET_TIMEOUT_SEC
            if deadline is not None:
                retry_end = min(retry_end, deadline)
            results = []
            for item in items:
                remaining = retry_end - time.monotonic()
                if remaining <= 0:
                    results.append(_TOO_LONG)
                    continue
                try:
                    timeout = min(remaining, _FORMULA_TIMEOUT_SEC)
                    results.extend(self._run([item], timeout))
                except _TIMED_OUT:
                    results.append(_TOO_LONG)
                except Exception:
                    self._fail()
                    results.append(_UNAVAILABLE)
            return results

    def _fail(self) -> None:
        logger.exception("KaTeX engine failed")
        self._discard()


_TOO_LONG = _Typeset(None, "typesetting took too long")
_UNAVAILABLE = _Typeset(None, "math typesetting is unavailable")

_engine = _KatexEngine()
# Close while the interpreter is still whole: closing from the garbage collector
# during shutdown can deadlock joining the thread that drives V8.
atexit.register(_engine.close)


def _error_html(tex: str, message: str, *, opener: str, closer: str, tag: str) -> str:
    return (
        f'<{tag} class="math-error" title="KaTeX: {escapeHtml(message)}">'
        f"<code>{escapeHtml(opener + tex + closer)}</code></{tag}>"
    )


def render_math(tex: str, display: bool) -> str:
    """Return KaTeX's HTML for one formula, or its escaped source marked as an error.

    The KaTeX HTML is not sanitised here; `render()` sanitises whole documents.
    """
    (result,) = _engine.typeset([(tex, display)])
    if result.html is not None:
        return result.html
    delimiter = "$$" if display else "$"
    return _error_html(
        tex,
        result.error or "",
        opener=delimiter,
        closer=delimiter,
        tag="div" if display else "span",
    )
