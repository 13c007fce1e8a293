"""Testing BPF programs: one API over pyebpf and the live kernel, typed through BTF.

:func:`load` loads a clang-compiled object into an *engine*, ``"pyebpf"`` (no root,
no kernel) or ``"kernel"`` (the live kernel's ``bpf()``, where it is allowed), and
gives the same objects for both: programs that ``run`` packets and report their
verdict by name, maps indexed by typed keys (``stats[2]``, ``blocklist[32, addr]``,
``m[{"src": 1, "port": 80}]``) that return typed values, and the object's global
variables.  So one test body checks pyebpf against the kernel (the pytest plugin,
:mod:`pyebpf.pytest_plugin`, runs it on both).

Assertions (:func:`assert_verdict`, :func:`assert_map`) fail with messages that say
what the packet was, what the program answered and which map entries differ.
"""

from __future__ import annotations

import errno
import os
from collections import namedtuple
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from pyebpf import uapi
from pyebpf.btf import BTF
from pyebpf.elf import CollectionSpec, MapSpec, ProgramSpec, load_elf
from pyebpf.errors import BPFError
from pyebpf.maps import PERCPU_TYPES

ENGINES = ("pyebpf", "kernel")
_XDP_ACTIONS = ("XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT")
_TC_ACTIONS = {0xFFFFFFFF: "TC_ACT_UNSPEC", 0: "TC_ACT_OK", 1: "TC_ACT_RECLASSIFY",
               2: "TC_ACT_SHOT", 3: "TC_ACT_PIPE", 4: "TC_ACT_STOLEN", 5: "TC_ACT_QUEUED",
               6: "TC_ACT_REPEAT", 7: "TC_ACT_REDIRECT", 8: "TC_ACT_TRAP"}
PT = uapi.BpfProgType


def verdict_of(prog_type: int, retval: int) -> str | int:
    """What a return value means for the program type: ``"XDP_DROP"``, ``"TC_ACT_SHOT"``,
    ``"SK_PASS"``/``"SK_DROP"`` for cgroup skb; other types: the number itself."""
    if prog_type == PT.BPF_PROG_TYPE_XDP:
        return _XDP_ACTIONS[retval] if retval < len(_XDP_ACTIONS) else retval
    if prog_type in (PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_SCHED_ACT):
        return _TC_ACTIONS.get(retval, retval)
    if prog_type == PT.BPF_PROG_TYPE_CGROUP_SKB:
        return {0: "SK_DROP", 1: "SK_PASS"}.get(retval, retval)
    return retval


@dataclass(frozen=True)
class RunOutcome:
    """One test run: the verdict (a name where the type has them), the raw retval, the
    packet and context after the run, the duration (ns) and the engine that ran it."""

    verdict: str | int
    retval: int
    data: bytes | None
    ctx: bytes | None
    duration: int
    engine: str


class TestProgram:
    """A loaded program of either engine; :meth:`run` is BPF_PROG_TEST_RUN."""

    __test__ = False             # a library class, not a pytest test

    def __init__(self, obj: BpfObject, spec: ProgramSpec, live: Any) -> None:
        self.obj, self.spec, self.live = obj, spec, live
        self.name, self.type = spec.name, spec.type

    def run(self, data: bytes | Any = None, ctx: bytes | Any = None, *,
            repeat: int = 0) -> RunOutcome:
        """Run once (or ``repeat`` times) on ``data`` (bytes, or a packets.Stack) and ``ctx``."""
        data = bytes(data) if data is not None else None
        ctx = bytes(ctx) if ctx is not None else None
        if self.obj.engine == "kernel":
            r = self.live.test_run(data, ctx, repeat=repeat)
            retval, data_out, ctx_out, duration = r.retval, r.data_out, r.ctx_out, r.duration_ns
        else:
            r = self.live.test_run(data, ctx, repeat=repeat)
            retval, data_out, ctx_out, duration = r.retval, r.data_out, r.ctx_out, r.duration
        return RunOutcome(verdict_of(self.type, retval), retval, data_out, ctx_out, duration,
                          self.obj.engine)

    def __repr__(self) -> str:
        return f"<{self.obj.engine} program {self.name} ({self.spec.type_name})>"


# --- typed values ------------------------------------------------------------------------

_RECORDS: dict[tuple[str, tuple[str, ...]], type] = {}


def frozen(value: object, name: str = "key") -> object:
    """``value`` made hashable: dicts (structs) become named tuples, lists tuples."""
    if isinstance(value, dict):
        fields = tuple(value)
        cls = _RECORDS.get((name, fields))
        if cls is None:
            cls = _RECORDS[(name, fields)] = namedtuple(name, fields, rename=True)  # type: ignore[misc]
        return cls(*(frozen(v, k) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(frozen(v, name) for v in value)
    return value


class _Codec:
    """Keys and values of one map, to and from bytes, through the object's BTF."""

    def __init__(self, ms: MapSpec, btf: BTF | None, ncpus: int) -> None:
        self.ms, self.btf = ms, btf
        self.percpu = ms.type in PERCPU_TYPES
        self.ncpus = ncpus
        self.stride = (ms.value_size + 7) // 8 * 8

    def _encode(self, type_id: int, size: int, value: object, what: str) -> bytes:
        if isinstance(value, bytes | bytearray | memoryview):
            raw = bytes(value)
            if len(raw) != size:
                raise BPFError(errno.EINVAL, f"{self.ms.name}: {what} must be {size} bytes, "
                               f"got {len(raw)}")
            return raw
        if self.btf is not None and type_id:
            try:
                return self.btf.from_python(type_id, value)
            except ValueError as e:
                raise BPFError(errno.EINVAL, f"{self.ms.name}: {what}: {e}") from None
        if isinstance(value, int):
            return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
        raise BPFError(errno.EINVAL, f"{self.ms.name}: {what} {value!r}: the map has no BTF "
                       f"type for it; give {size} bytes or an int")

    def key(self, key: object) -> bytes:
        if isinstance(key, tuple) and hasattr(key, "_asdict"):
            key = _plain(key)
        return self._encode(self.ms.key_type_id, self.ms.key_size, key, "key")

    def value(self, value: object) -> bytes:
        if self.percpu:
            values = value if isinstance(value, list) else [value] * self.ncpus
            if len(values) != self.ncpus:
                raise BPFError(errno.EINVAL, f"{self.ms.name}: one value per CPU "
                               f"({self.ncpus}), got {len(values)}")
            return b"".join(self._encode(self.ms.value_type_id, self.ms.value_size, v, "value")
                            .ljust(self.stride, b"\0") for v in values)
        return self._encode(self.ms.value_type_id, self.ms.value_size, value, "value")

    def _decode(self, type_id: int, raw: bytes) -> object:
        if self.btf is not None and type_id:
            return self.btf.to_python(type_id, raw)
        if len(raw) in (1, 2, 4, 8):
            return int.from_bytes(raw, "little")
        return raw

    def key_out(self, raw: bytes) -> object:
        return frozen(self._decode(self.ms.key_type_id, raw))

    def value_out(self, raw: bytes) -> object:
        if self.percpu:
            return [self._decode(self.ms.value_type_id, raw[i * self.stride:
                                                            i * self.stride + self.ms.value_size])
                    for i in range(len(raw) // self.stride)]
        return self._decode(self.ms.value_type_id, raw)


def _plain(value: object) -> object:
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class TypedMap(MutableMapping):
    """A map of either engine with typed keys and values (see the module docstring).

    Struct keys come back as named tuples (hashable: ``dict(m)`` works), values as
    plain Python values; per-CPU maps give one value per CPU, and take one value for
    every CPU or a list of them.
    """

    def __init__(self, obj: BpfObject, ms: MapSpec, live: Any) -> None:
        self.obj, self.spec, self.live = obj, ms, live
        self.name = ms.name
        ncpus = obj.ncpus
        self._codec = _Codec(ms, ms.btf or obj.spec.btf, ncpus)

    def _raw_lookup(self, key: bytes) -> bytes | None:
        if self.obj.engine == "kernel":
            return self.live.lookup(key)
        try:
            value = self.live.lookup(key)
        except BPFError as e:
            if e.errno == errno.ENOENT:
                return None
            raise
        return b"".join(v.ljust(self._codec.stride, b"\0") for v in value) \
            if isinstance(value, list) else value

    def raw_keys(self) -> list[bytes]:
        if self.obj.engine == "kernel":
            return self.live.keys()
        return list(self.live)

    def __getitem__(self, key: object) -> object:
        raw = self._raw_lookup(self._codec.key(key))
        if raw is None:
            raise KeyError(key)
        return self._codec.value_out(raw)

    def __setitem__(self, key: object, value: object) -> None:
        self.live.update(self._codec.key(key), self._codec.value(value))

    def __delitem__(self, key: object) -> None:
        try:
            self.live.delete(self._codec.key(key))
        except BPFError as e:
            if e.errno == errno.ENOENT:
                raise KeyError(key) from None
            raise

    def __iter__(self) -> Iterator[object]:
        return iter([self._codec.key_out(k) for k in self.raw_keys()])

    def __len__(self) -> int:
        return len(self.raw_keys())

    def items_raw(self) -> list[tuple[bytes, bytes]]:
        out = []
        for k in self.raw_keys():
            v = self._raw_lookup(k)
            if v is not None:
                out.append((k, v))
        return out

    def snapshot(self) -> dict[object, object]:
        """Every entry now, typed (per-CPU values as lists), as a plain dict."""
        return {self._codec.key_out(k): self._codec.value_out(v) for k, v in self.items_raw()}

    def nonzero(self) -> dict[object, object]:
        """The entries whose value is not all zero bytes (arrays list every slot)."""
        return {self._codec.key_out(k): self._codec.value_out(v) for k, v in self.items_raw()
                if any(v)}

    def __repr__(self) -> str:
        return f"<{self.obj.engine} map {self.name} ({self.spec.type_name})>"


class Variables(MutableMapping):
    """The object's global variables (``.data``, ``.bss``, ``.rodata``), live: reading one
    reads the map now, writing one writes the map (as a libbpf skeleton's
    ``skel->bss->x = 1``); ``.rodata`` is frozen at load, so writing it raises
    :class:`BPFError` (EPERM, as BPF_MAP_UPDATE_ELEM on a frozen map does)."""

    def __init__(self, obj: BpfObject) -> None:
        self.obj = obj
        self.vars = obj.spec.variables

    def _map(self, name: str) -> TypedMap:
        try:
            v = self.vars[name]
        except KeyError:
            raise KeyError(f"no global variable {name!r} (variables: "
                           f"{', '.join(self.vars) or 'none'})") from None
        return self.obj.maps[v.map_name]

    def _raw(self, m: TypedMap) -> bytes:
        raw = m._raw_lookup(b"\0\0\0\0")
        if raw is None:                            # a data map always has its one value
            raise BPFError(errno.ENOENT, f"map {m.name} has no value")
        return raw

    def __getitem__(self, name: str) -> object:
        m = self._map(name)
        v = self.vars[name]
        chunk = self._raw(m)[v.offset:v.offset + v.size]
        btf = self.obj.spec.btf
        if btf is not None and v.type_id:
            return btf.to_python(v.type_id, chunk)
        return int.from_bytes(chunk, "little") if v.size <= 8 else chunk

    def __setitem__(self, name: str, value: object) -> None:
        m = self._map(name)
        v = self.vars[name]
        if m.spec.freeze:
            raise BPFError(errno.EPERM, f"{name} is in {v.map_name}, frozen at load (the "
                           "verifier may have used its value): set it before loading, "
                           "with load(..., variables={...})")
        btf = self.obj.spec.btf
        if btf is not None and v.type_id:
            try:
                raw = btf.from_python(v.type_id, value)
            except ValueError as e:
                raise BPFError(errno.EINVAL, f"{name}: {e}") from None
        elif isinstance(value, int):
            raw = value.to_bytes(v.size, "little", signed=value < 0)
        else:
            raw = bytes(value)  # type: ignore[arg-type]
        if len(raw) != v.size:
            raise BPFError(errno.EINVAL, f"{name} is {v.size} bytes, got {len(raw)}")
        cur = bytearray(self._raw(m))
        cur[v.offset:v.offset + v.size] = raw
        m.live.update(b"\0\0\0\0", bytes(cur))

    def __delitem__(self, name: str) -> None:
        raise TypeError("global variables cannot be deleted")

    def __iter__(self) -> Iterator[str]:
        return iter(self.vars)

    def __len__(self) -> int:
        return len(self.vars)


class BpfObject:
    """A clang-compiled object loaded into one engine: ``programs``, ``maps`` and
    ``variables`` by name.  Close it (or use ``with``) to release its fds."""

    def __init__(self, spec: CollectionSpec, engine: str, *,
                 programs: Iterable[str] | None = None, runtime: Any = None) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine is one of {ENGINES}, not {engine!r}")
        self.spec, self.engine = spec, engine
        wanted = list(programs) if programs is not None else None
        if engine == "kernel":
            from pyebpf import kernel
            from pyebpf.elf import load_into_kernel

            ok, reason = kernel.kernel_available()
            if not ok:
                raise BPFError(errno.EPERM, f"the kernel engine needs bpf(): {reason}")
            self.ncpus = kernel.possible_cpus()
            self._live: Any = load_into_kernel(spec, wanted)
        else:
            from pyebpf.runtime import Runtime

            self.runtime = runtime or Runtime()
            self.ncpus = self.runtime.ncpus
            self._live = spec.load(self.runtime, wanted, log_level=1)
        self.programs = {n: TestProgram(self, spec.programs[n], p)
                         for n, p in self._live.programs.items()}
        self.maps = {n: TypedMap(self, spec.maps[n], m) for n, m in self._live.maps.items()}
        self.variables = Variables(self)

    @classmethod
    def wrap(cls, coll: Any) -> BpfObject:
        """Typed maps and live variables over a Collection already loaded with
        ``spec.load()`` (pyebpf engine); closing the wrapper closes the collection."""
        obj = cls.__new__(cls)
        obj.spec, obj.engine, obj._live = coll.spec, "pyebpf", coll
        obj.runtime, obj.ncpus = coll.runtime, coll.runtime.ncpus
        obj.programs = {n: TestProgram(obj, coll.spec.programs[n], p)
                        for n, p in coll.programs.items()}
        obj.maps = {n: TypedMap(obj, coll.spec.maps[n], m) for n, m in coll.maps.items()}
        obj.variables = Variables(obj)
        return obj

    @property
    def program(self) -> TestProgram:
        """The object's only program (or only entry point, when others are tail-call
        targets)."""
        targets = {v for m in self.spec.maps.values() if m.type_name == "prog_array"
                   for _, v in m.contents}
        entries = [p for n, p in self.programs.items() if n not in targets]
        if len(entries) != 1:
            raise ValueError(f"the object has programs {', '.join(self.programs)}: "
                             "pick one with .programs[name]")
        return entries[0]

    def trace(self) -> list[str]:
        """bpf_printk output since the last call (pyebpf only: the kernel's goes to
        trace_pipe, which tests do not read)."""
        if self.engine != "pyebpf":
            return []
        return self.runtime.trace_pipe()

    def close(self) -> None:
        self._live.close()

    def __enter__(self) -> BpfObject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{self.engine} object: programs {list(self.programs)}, maps {list(self.maps)}>"


def load(source: str | os.PathLike[str] | bytes | CollectionSpec, engine: str = "pyebpf", *,
         variables: Mapping[str, object] | None = None,
         programs: Iterable[str] | None = None, runtime: Any = None) -> BpfObject:
    """Load an object (a path, its bytes, or a CollectionSpec, which is copied) into
    ``engine``, after setting ``variables`` (``.rodata`` settings included, as a libbpf
    skeleton does between open and load)."""
    spec = source.copy() if isinstance(source, CollectionSpec) else load_elf(source)
    for name, value in (variables or {}).items():
        try:
            var = spec.variables[name]
        except KeyError:
            raise KeyError(f"no global variable {name!r} (variables: "
                           f"{', '.join(spec.variables) or 'none'})") from None
        if spec.btf is not None and var.type_id and not isinstance(value, bytes):
            value = spec.btf.from_python(var.type_id, value)
        var.set(value)  # type: ignore[arg-type]
    return BpfObject(spec, engine, programs=programs, runtime=runtime)


# --- assertions -----------------------------------------------------------------------------

def _describe(data: bytes | None) -> str:
    if data is None:
        return "no data"
    try:
        from pyebpf.packets import summary

        return f"{len(data)}-byte frame: {summary(data)}"
    except Exception:            # a description must never hide the real failure
        return f"{len(data)} bytes"


def assert_verdict(prog: TestProgram, data: bytes | Any, expected: str | int, *,
                   ctx: bytes | Any = None) -> RunOutcome:
    """Run ``prog`` on ``data`` and fail, naming the packet, unless the verdict is
    ``expected`` (a name such as ``"XDP_DROP"``, or the retval); returns the outcome."""
    raw = bytes(data) if data is not None else None
    out = prog.run(raw, ctx)
    if out.verdict != expected and out.retval != expected:
        raise AssertionError(f"{prog.name} ({out.engine}) answered {out.verdict!r} "
                             f"(retval {out.retval}), expected {expected!r}, for "
                             f"{_describe(raw)}")
    return out


def assert_map(m: TypedMap, expected: Mapping[object, object], *, exact: bool = False) -> None:
    """Fail unless every entry of ``expected`` is in ``m`` with that value (``exact``:
    and nothing else is, all-zero array slots aside).  The message lists each key that
    differs: missing, unexpected, or the two values."""
    codec = m._codec
    have = {codec.key(k): v for k, v in m.snapshot().items()}   # raw key -> typed value
    diffs = []
    want_raw = set()
    for k, v in expected.items():
        rk = codec.key(k)
        want_raw.add(rk)
        if rk not in have:
            diffs.append(f"  {k!r}: missing (expected {v!r})")
        elif have[rk] != v:
            diffs.append(f"  {k!r}: {have[rk]!r}, expected {v!r}")
    if exact:
        for rk, v in have.items():
            if rk not in want_raw and v != codec.value_out(bytes(len(codec.value(v)))):
                diffs.append(f"  {codec.key_out(rk)!r}: {v!r} (not expected)")
    if diffs:
        raise AssertionError(f"map {m.name} ({m.obj.engine}) differs:\n" + "\n".join(diffs))


__all__ = ["ENGINES", "BpfObject", "RunOutcome", "TestProgram", "TypedMap", "Variables",
           "assert_map", "assert_verdict", "frozen", "load", "verdict_of"]
