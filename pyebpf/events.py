"""Event output consumers: ring buffers and perf event arrays, polled with callbacks.

- :class:`RingBuffer` is libbpf's ``ring_buffer__new/add/poll/consume``: one or more
  ``BPF_MAP_TYPE_RINGBUF`` maps, a callback per map called with each committed record in
  order; a negative return value from a callback stops the poll and is returned (as
  libbpf does).
- :class:`PerfBuffer` is libbpf's ``perf_buffer__new/poll`` and bcc's
  ``open_perf_buffer``/``perf_buffer_poll``: a ``BPF_MAP_TYPE_PERF_EVENT_ARRAY`` whose
  every slot gets a bounded per-CPU buffer (``page_cnt`` pages, as the kernel's perf
  ring); a sample that does not fit is dropped, ``bpf_perf_event_output`` returns
  -ENOSPC and the loss is reported to ``lost_cb(cpu, count)`` before the next samples of
  that CPU, as a PERF_RECORD_LOST would be.

Records come as ``bytes``, or decoded: ``decode=`` takes a ctypes type, a callable, or
``(btf, type_id)`` for values typed through the object's BTF
(:func:`record_decoder` picks the record struct of a collection's map).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from pyebpf import uapi
from pyebpf.errors import BPFError

PAGE_SIZE = 4096
PERF_SAMPLE_OVERHEAD = 8 + 4        # struct perf_event_header + the raw sample's u32 size


def _decoder(decode: Any) -> Callable[[bytes], Any] | None:
    if decode is None:
        return None
    if isinstance(decode, tuple):
        btf, type_id = decode
        size = btf.size_of(type_id)
        return lambda raw: btf.to_python(type_id, raw[:size].ljust(size, b"\0"))
    if isinstance(decode, type) and hasattr(decode, "from_buffer_copy"):
        import ctypes

        size = ctypes.sizeof(decode)
        return lambda raw: decode.from_buffer_copy(raw[:size].ljust(size, b"\0"))
    if callable(decode):
        return decode
    raise TypeError(f"decode must be a ctypes type, a callable or (btf, type_id): {decode!r}")


def record_type(btf: Any, size: int | None = None, name: str | None = None) -> int:
    """The BTF id of a record struct: the one called ``name``, or else the one named struct
    of ``size`` bytes (preferring a name with "event" in it); 0 if none is unambiguous."""
    if btf is None:
        return 0
    from pyebpf.btf import KIND_STRUCT

    if name is not None:
        t = btf.find(name.removeprefix("struct "), KIND_STRUCT)
        return t.id if t is not None else 0
    found = [t for t in btf.types[1:] if t.kind == KIND_STRUCT and t.name
             and (size is None or t.size == size)
             and t.name not in ("pt_regs", "bpf_raw_tracepoint_args", "__sk_buff", "xdp_md")]
    if len(found) > 1:
        found = [t for t in found if "event" in t.name] or found
    return found[0].id if len(found) == 1 else 0


def record_decoder(coll: Any, map_name: str, type_name: str | None = None,
                   size: int | None = None) -> Callable[[bytes], Any] | None:
    """A decoder for the records of ``map_name`` in a loaded collection, through BTF."""
    btf = coll.spec.btf
    tid = record_type(btf, size, type_name)
    return _decoder((btf, tid)) if tid else None


def _poll(consume: Callable[[], int], timeout_ms: int) -> int:
    """Consume until something came or ``timeout_ms`` passed (-1: wait forever).

    Producers are programs of this process writing in memory, with nothing to wait on
    as epoll waits on a ring's fd: the wait polls every half millisecond."""
    deadline = None if timeout_ms < 0 else time.monotonic() + timeout_ms / 1000
    while True:
        n = consume()
        if n:
            return n
        if deadline is not None and time.monotonic() >= deadline:
            return 0
        time.sleep(0.0005)


# --- ring buffers ------------------------------------------------------------------------------

class RingBuffer:
    """Consumer of one or more ring buffer maps (libbpf's ``struct ring_buffer``)."""

    def __init__(self, rb_map: Any = None, callback: Callable[[Any], Any] | None = None, *,
                 decode: Any = None) -> None:
        self._rings: list[tuple[Any, Callable[[Any], Any], Callable[[bytes], Any] | None]] = []
        if rb_map is not None:
            self.add(rb_map, callback, decode=decode)

    def add(self, rb_map: Any, callback: Callable[[Any], Any] | None, *,
            decode: Any = None) -> None:
        """ring_buffer__add: another ring buffer map with its callback."""
        if rb_map.map_type != uapi.BpfMapType.BPF_MAP_TYPE_RINGBUF:
            raise BPFError(22, f"map {getattr(rb_map, 'name', '')} is not a ring buffer")
        self._rings.append((rb_map, callback or (lambda rec: None), _decoder(decode)))

    def consume(self) -> int:
        """ring_buffer__consume: every available record now; the number handled, or the
        negative value a callback returned."""
        n = 0
        for rb_map, cb, dec in self._rings:
            cmap = rb_map._obj.cmap
            while True:
                recs = cmap.ring_consume(1)
                if not recs:
                    break
                n += 1
                rc = cb(dec(recs[0]) if dec else recs[0])
                if isinstance(rc, int) and rc < 0:
                    return rc
        return n

    def poll(self, timeout_ms: int = -1) -> int:
        """ring_buffer__poll: wait up to ``timeout_ms`` (-1: forever) for records, then
        consume them."""
        return _poll(self.consume, timeout_ms)


# --- perf buffers --------------------------------------------------------------------------------

class PerfRing(deque):
    """One CPU's perf buffer: bounded in bytes, counting the samples it had to drop."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity
        self.used = 0
        self.lost = 0
        self.cond = threading.Condition()

    @staticmethod
    def sample_size(n: int) -> int:
        return (PERF_SAMPLE_OVERHEAD + n + 7) & ~7

    def offer(self, record: bytes) -> bool:
        """bpf_perf_event_output's perf_output_begin: False (and one more lost) if full."""
        size = self.sample_size(len(record))
        with self.cond:
            if self.used + size > self.capacity:
                self.lost += 1
                return False
            self.used += size
            self.append(record)
            self.cond.notify_all()
        return True

    def take(self) -> tuple[list[bytes], int]:
        """(samples, samples lost before them), emptying the buffer."""
        with self.cond:
            out = list(self)
            self.clear()
            self.used = 0
            lost, self.lost = self.lost, 0
        return out, lost


class PerfBuffer:
    """Consumer of a perf event array (libbpf's ``perf_buffer``, bcc's perf buffers)."""

    def __init__(self, perf_map: Any, sample_cb: Callable[[int, Any], Any] | None = None,
                 lost_cb: Callable[[int, int], Any] | None = None, *, page_cnt: int = 8,
                 decode: Any = None) -> None:
        if perf_map.map_type != uapi.BpfMapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY:
            raise BPFError(22, "not a perf event array")
        if page_cnt <= 0 or page_cnt & (page_cnt - 1):
            raise BPFError(22, "page_cnt must be a power of two")  # as libbpf checks
        self.map = perf_map
        self.sample_cb = sample_cb or (lambda cpu, rec: None)
        self.lost_cb = lost_cb
        self._decode = _decoder(decode)
        obj = perf_map._obj
        self.rings: dict[int, PerfRing] = {}
        for cpu in range(obj.max_entries):
            ring = PerfRing(page_cnt * PAGE_SIZE)
            obj.perf_readers[cpu] = ring
            self.rings[cpu] = ring
        self.lost_total = 0

    def consume(self) -> int:
        """perf_buffer__consume: every sample now; the number handled."""
        n = 0
        for cpu, ring in self.rings.items():
            samples, lost = ring.take()
            if lost:
                self.lost_total += lost
                if self.lost_cb is not None:
                    self.lost_cb(cpu, lost)
            for rec in samples:
                n += 1
                self.sample_cb(cpu, self._decode(rec) if self._decode else rec)
        return n

    def poll(self, timeout_ms: int = -1) -> int:
        """perf_buffer__poll: wait up to ``timeout_ms`` for samples, then consume them."""
        return _poll(self.consume, timeout_ms)

    def close(self) -> None:
        """Stop receiving: the slots have no perf buffer again (output gives ENOENT)."""
        obj = self.map._obj
        for cpu, ring in self.rings.items():
            if obj.perf_readers.get(cpu) is ring:
                del obj.perf_readers[cpu]
        self.rings = {}

    def __enter__(self) -> PerfBuffer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_perf_buffer(perf_map: Any, callback: Callable[[int, Any], Any], page_cnt: int = 8,
                     lost_cb: Callable[[int, int], Any] | None = None,
                     decode: Any = None) -> PerfBuffer:
    """bcc's ``table.open_perf_buffer(callback, page_cnt, lost_cb)``."""
    return PerfBuffer(perf_map, callback, lost_cb, page_cnt=page_cnt, decode=decode)


__all__ = ["PerfBuffer", "PerfRing", "RingBuffer", "open_perf_buffer", "record_decoder",
           "record_type"]
