"""A one-line progress report for long command-line work.

    >>> p = Progress("removing objects", total=1200)
    >>> for n in range(1, 1201):
    ...     p.update(n)
    >>> p.close()

On a terminal (the stream's isatty()) the line is rewritten in place at most
ten times a second, and ended with a newline by close(); anywhere else (a
pipe, a log file, --json output) it writes nothing.
"""
import sys
import time


class Progress:
    """Shows "<what>: <done> of <total> (<percent>%)" on one terminal line."""

    def __init__(self, what, total=None, stream=None, enabled=None, interval=0.1):
        self.what = what
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.interval = interval
        self._shown_at = None
        self._done = 0

    def update(self, done):
        """Records that done units are finished; redraws the line if due."""
        self._done = done
        if not self.enabled:
            return
        now = time.monotonic()
        if self._shown_at is not None and now - self._shown_at < self.interval \
                and done != self.total:
            return
        self._shown_at = now
        self._draw()

    def close(self):
        """Draws the final count and ends the line (if anything was shown)."""
        if self.enabled and self._shown_at is not None:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self):
        line = f"{self.what}: {self._done:,}"
        if self.total:
            line += f" of {self.total:,} ({100 * self._done // self.total}%)"
        self.stream.write("\r" + line + "\033[K")
        self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
