"""Read ahead and write behind: video decoding and encoding in background threads.

:func:`prefetch` iterates any iterable in a background thread through a small bounded queue;
:class:`WriteBehind` hands frames to a video writer's ``write`` in a background thread.  OpenCV
releases the GIL while it decodes and encodes, so decoding, drawing and encoding the annotated
video overlap and both cores work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["prefetch", "WriteBehind"]

T = TypeVar("T")

_END = object()


@dataclass(frozen=True)
class _Failure:
    error: BaseException


def prefetch(items: Iterable[T], size: int = 4) -> Iterator[T]:
    """Yield the items of ``items``, produced ``size`` ahead in a background thread.

    An exception raised while producing is raised here, at the item where it happened.  Closing
    the returned generator early (``break``, an exception in the consumer) stops the thread and
    closes ``items`` (if it has ``close``) before returning.

    Parameters
    ----------
    items
        Any iterable, e.g. :func:`kneeline.io.video.iter_frames`.
    size
        Items produced ahead at most (memory: ``size`` items).
    """
    buffer: queue.Queue[Any] = queue.Queue(maxsize=max(1, size))
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put(item):
                    return
            put(_END)
        except Exception as exc:  # handed to the consumer, which re-raises it
            put(_Failure(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="kneeline-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


class WriteBehind:
    """Wrap a writer (``write(item)``, ``release()``, e.g. ``cv2.VideoWriter``): writes run in a thread.

    ``write`` returns at once unless ``size`` items are waiting; ``release`` waits for every item
    to be written, releases the writer and raises the first error a write raised.

    Parameters
    ----------
    writer
        The wrapped writer; only this object's thread calls its ``write``.
    size
        Items waiting at most (memory: ``size`` frames).
    """

    def __init__(self, writer: Any, size: int = 4) -> None:
        self._writer = writer
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, size))
        self._error: Exception | None = None
        self._released = False
        self._thread = threading.Thread(target=self._run, name="kneeline-write-behind", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if self._error is None:
                try:
                    self._writer.write(item)
                except Exception as exc:  # re-raised by release() in the calling thread
                    self._error = exc

    def write(self, item: Any) -> None:
        """Queue ``item`` for writing.

        Raises
        ------
        Exception
            The error of an earlier write, as soon as it is known.
        """
        if self._error is not None:
            raise self._error
        self._queue.put(item)

    def release(self) -> None:
        """Write what is queued, release the wrapped writer, raise the first write error (once)."""
        if self._released:
            return
        self._released = True
        self._queue.put(_END)
        self._thread.join()
        self._writer.release()
        if self._error is not None:
            raise self._error
