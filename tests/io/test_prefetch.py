"""Read-ahead in a background thread: order kept, errors raised where they happened, early stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kneeline.io.prefetch import prefetch


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kneeline-prefetch"]


def test_items_come_in_order_and_the_thread_ends() -> None:
    assert list(prefetch(range(100), size=3)) == list(range(100))
    assert not _threads()


def test_an_error_while_producing_is_raised_at_its_item() -> None:
    def broken() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("frame 3 is damaged")

    seen = []
    with pytest.raises(ValueError, match="frame 3 is damaged"):
        for item in prefetch(broken()):
            seen.append(item)
    assert seen == [1, 2] and not _threads()


def test_stopping_early_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    stream = prefetch(endless(), size=2)
    assert [next(stream) for _ in range(5)] == [0, 1, 2, 3, 4]
    stream.close()
    assert closed.is_set() and not _threads()


class ListWriter:
    """A writer keeping what it is given; fails on the item ``fail_on``."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.items: list[int] = []
        self.released = False
        self.fail_on = fail_on

    def write(self, item: int) -> None:
        if item == self.fail_on:
            raise OSError("disk full")
        self.items.append(item)

    def release(self) -> None:
        self.released = True


def test_write_behind_writes_everything_in_order_before_release_returns() -> None:
    from kneeline.io.prefetch import WriteBehind

    target = ListWriter()
    writer = WriteBehind(target, size=2)
    for i in range(50):
        writer.write(i)
    writer.release()
    writer.release()  # a second release does nothing
    assert target.items == list(range(50)) and target.released


def test_a_failed_write_is_raised_in_the_calling_thread() -> None:
    from kneeline.io.prefetch import WriteBehind

    target = ListWriter(fail_on=3)
    writer = WriteBehind(target)
    with pytest.raises(OSError, match="disk full"):
        try:
            for i in range(10):
                writer.write(i)
        finally:
            writer.release()  # as annotate.py does on any error: the thread ends, the writer is released
    assert target.items == [0, 1, 2] and target.released
    assert not [t for t in threading.enumerate() if t.name == "kneeline-write-behind"]
