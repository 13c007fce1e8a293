"""The Pythonic layer: :class:`Map` and :class:`Program` objects over ``bpf()``.

Everything here goes through :func:`pyebpf.syscall.bpf` with a real
``union bpf_attr``, so it behaves exactly like the command API (same checks,
same errnos).  Maps are ``MutableMapping``\\ s with ``bytes`` keys and values, or
ctypes types when ``key_type``/``value_type`` are given (as bcc's tables do);
per-CPU maps return one value per CPU.  ``Program.test_run`` returns what
cilium/ebpf's ``Program.Run`` does: retval, data out, context out, duration.
"""

from __future__ import annotations

import array
import ctypes
import errno
import functools
import struct
import threading
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any, NamedTuple

from pyebpf import isa, uapi
from pyebpf.btf import BTFBuilder, has_special_fields
from pyebpf.errors import BPFError
from pyebpf.maps import PERCPU_TYPES
from pyebpf.runtime import Runtime, default_runtime
from pyebpf.syscall import bpf

Cmd = uapi.BpfCmd


class _FdOwner:
    fd: int
    runtime: Runtime

    def close(self) -> None:
        """Close the fd (the object is released once nothing else holds it)."""
        if getattr(self, "fd", -1) >= 0:
            try:
                self.runtime.close(self.fd)
            except BPFError:
                pass
            self.fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _info(self, info_type: type) -> Any:
        info = info_type()
        attr = uapi.BpfAttr()
        attr.info.bpf_fd = self.fd
        attr.info.info_len = ctypes.sizeof(info)
        attr.info.info = ctypes.addressof(info)
        bpf(Cmd.BPF_OBJ_GET_INFO_BY_FD, attr, runtime=self.runtime)
        return info

    def pin(self, path: str) -> None:
        p = ctypes.create_string_buffer(path.encode())
        attr = uapi.BpfAttr()
        attr.pathname = ctypes.addressof(p)
        attr.bpf_fd = self.fd
        bpf(Cmd.BPF_OBJ_PIN, attr, runtime=self.runtime)


_MT = uapi.BpfMapType
_PLAIN_TYPES = frozenset({_MT.BPF_MAP_TYPE_HASH, _MT.BPF_MAP_TYPE_ARRAY, _MT.BPF_MAP_TYPE_LRU_HASH,
                          _MT.BPF_MAP_TYPE_PERCPU_HASH, _MT.BPF_MAP_TYPE_PERCPU_ARRAY,
                          _MT.BPF_MAP_TYPE_LRU_PERCPU_HASH, _MT.BPF_MAP_TYPE_LPM_TRIE})


class Map(_FdOwner, MutableMapping):
    """A BPF map.  ``Map(uapi.BpfMapType.BPF_MAP_TYPE_HASH, 4, 8, 1024)``.

    ``key_type``/``value_type`` (ctypes types) set the sizes and make items
    come back as those types; otherwise keys and values are ``bytes``.  A value type
    holding a ``uapi.BpfSpinLock`` gives the map BTF describing both types (``btf=True``
    always, ``btf=False`` never), so programs may take that lock; ``btf_fd`` and the type
    ids pass BTF loaded by hand.
    """

    def __init__(self, map_type: int, key_size: int | None = None,
                 value_size: int | None = None, max_entries: int = 1, *, flags: int = 0,
                 name: str = "", key_type: Any = None, value_type: Any = None,
                 inner_map: Map | None = None, map_extra: int = 0,
                 btf_fd: int = 0, btf_key_type_id: int = 0, btf_value_type_id: int = 0,
                 btf: bool | None = None, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or default_runtime()
        self.key_type, self.value_type = key_type, value_type
        if key_size is None:
            key_size = ctypes.sizeof(key_type) if key_type is not None else 0
        if value_size is None:
            value_size = ctypes.sizeof(value_type) if value_type is not None else 0
        attr = uapi.BpfAttr()
        attr.map_type, attr.key_size, attr.value_size = map_type, key_size, value_size
        attr.max_entries, attr.map_flags, attr.map_extra = max_entries, flags, map_extra
        attr.map_name = name.encode()[:15]
        attr.inner_map_fd = inner_map.fd if inner_map is not None else 0
        # BTF for the key and value (a bpf_spin_lock in the value needs it)
        attr.btf_fd, attr.btf_key_type_id = btf_fd, btf_key_type_id
        attr.btf_value_type_id = btf_value_type_id
        own_btf = -1
        if not btf_fd and value_type is not None and (
                btf or (btf is None and has_special_fields(value_type))):
            own_btf, attr.btf_key_type_id, attr.btf_value_type_id = self._load_btf(
                key_type, value_type)
            attr.btf_fd = own_btf
        self.fd = -1
        self._direct = None
        try:
            self.fd = bpf(Cmd.BPF_MAP_CREATE, attr, runtime=self.runtime)
        finally:
            if own_btf >= 0:
                self.runtime.close(own_btf)     # the map keeps the BTF it uses
        self.map_type, self.key_size, self.value_size = map_type, key_size, value_size
        self.max_entries, self.flags = max_entries, flags
        obj = self.runtime.get_map(self.fd)
        self._direct = obj
        self.ncpus = obj.ncpus
        self.user_value_size = obj.user_value_size
        # what BPF_MAP_UPDATE_ELEM copies in: an inner map's fd for hash-of-maps
        self._in_size = 4 if map_type == uapi.BpfMapType.BPF_MAP_TYPE_HASH_OF_MAPS \
            else obj.user_value_size
        self.id = obj.id
        # the map types whose element commands are the C map's own (no fd values, no
        # special fields to hide, no value-taking lookup): straight to it
        plain = map_type in _PLAIN_TYPES and obj.record is None
        self._cmap = obj.cmap if plain else None
        self._plain_read = plain and not flags & uapi.BPF_F_WRONLY
        self._plain_write = plain and not flags & uapi.BPF_F_RDONLY

    def _load_btf(self, key_type: Any, value_type: Any) -> tuple[int, int, int]:
        """BTF_LOAD of the key and value types (as libbpf gives a map's ``__type``s):
        (BTF fd, key type id, value type id).  The map types' own rules apply (an array's
        key must be a 32-bit integer, ...)."""
        b = BTFBuilder()
        key_id = b.add_ctypes(key_type) if key_type is not None else 0
        value_id = b.add_ctypes(value_type)
        blob = ctypes.create_string_buffer(b.blob())
        attr = uapi.BpfAttr()
        attr.btf, attr.btf_size = ctypes.addressof(blob), len(blob) - 1
        return bpf(Cmd.BPF_BTF_LOAD, attr, runtime=self.runtime), key_id, value_id

    @property
    def _obj(self) -> Any:
        return self.runtime.get_map(self.fd)

    # conversions ----------------------------------------------------------------

    def _key(self, key: Any) -> bytes | None:
        """The key's bytes (an int in the key's size; ctypes values and bytes as they are)."""
        if key is None:
            return None
        kt = type(key)
        if kt is int:
            # bytes(int) would make that many zero bytes: convert the number instead
            raw = key.to_bytes(self.key_size, "little") if self.key_type is None \
                else bytes(self.key_type(key))
        elif kt is bytes:
            raw = key
        else:
            raw = bytes(key)
        if len(raw) != self.key_size:
            raise BPFError(errno.EINVAL, f"key must be {self.key_size} bytes")
        return raw

    def _kbytes(self, key: Any) -> ctypes.Array | None:
        raw = self._key(key)
        return None if raw is None else ctypes.create_string_buffer(raw, len(raw))

    def _key_out(self, raw: bytes) -> Any:
        return self.key_type.from_buffer_copy(raw) if self.key_type is not None else raw

    def _value_in(self, value: Any) -> bytes:
        if self.map_type in PERCPU_TYPES and isinstance(value, (list, tuple)):
            stride = (self.value_size + 7) // 8 * 8
            return b"".join(bytes(v).ljust(stride, b"\0") for v in value)
        if isinstance(value, int):
            return value.to_bytes(self.value_size, "little") if self.value_type is None \
                else bytes(self.value_type(value))
        return bytes(value)

    def _value_out(self, raw: bytes) -> Any:
        if self.map_type in PERCPU_TYPES:
            stride = (self.value_size + 7) // 8 * 8
            parts = [raw[i * stride:i * stride + self.value_size] for i in range(self.ncpus)]
            if self.value_type is not None:
                return [self.value_type.from_buffer_copy(p) for p in parts]
            return parts
        return self.value_type.from_buffer_copy(raw) if self.value_type is not None else raw

    def _elem(self, cmd: int, key: Any, value: ctypes.Array | None, flags: int = 0) -> None:
        k = self._kbytes(key)
        attr = uapi.BpfAttr()
        attr.map_fd = self.fd
        attr.key = ctypes.addressof(k) if k is not None else 0
        attr.value = ctypes.addressof(value) if value is not None else 0
        attr.flags = flags
        bpf(cmd, attr, runtime=self.runtime)

    @property
    def _m(self) -> Any:
        """The runtime's map, for the direct paths (EBADF once this object is closed)."""
        m = self._direct
        if m is None or self.fd < 0:
            raise BPFError(errno.EBADF, "the map is closed")
        return m

    # operations ---------------------------------------------------------------------
    # These call the runtime's map (pyebpf.maps.BpfMap) directly: the checks and errnos
    # are its own, as BPF_MAP_*_ELEM's, without marshalling a bpf_attr.  Bloom filters
    # (whose lookup takes a value) and the element commands on the bpf() path only.

    def lookup(self, key: Any, flags: int = 0) -> Any:
        if self._plain_read and not flags and self.fd >= 0:
            return self._value_out(self._cmap.lookup(self._key(key)))
        if self.map_type == uapi.BpfMapType.BPF_MAP_TYPE_BLOOM_FILTER:
            out = ctypes.create_string_buffer(max(self.user_value_size, 1))
            self._elem(Cmd.BPF_MAP_LOOKUP_ELEM, key, out, flags)
            return self._value_out(out.raw[:self.user_value_size])
        return self._value_out(self._m.lookup(self._key(key), flags))

    def update(self, key: Any, value: Any, flags: int = uapi.BPF_ANY) -> None:  # type: ignore[override]
        raw = value if type(value) is bytes else self._value_in(value)
        if self._plain_write and self.fd >= 0 and len(raw) == self._in_size \
                and not self._direct.frozen:
            self._cmap.update(self._key(key), raw, flags)
            return
        m = self._m
        if len(raw) != self._in_size:
            raise BPFError(errno.EINVAL, f"value must be {self._in_size} bytes, "
                           f"got {len(raw)}")
        m.update(self._key(key), raw, flags, self.runtime.get)

    def delete(self, key: Any) -> None:
        self._m.delete(self._key(key))

    def next_key(self, key: Any = None) -> Any:
        return self._key_out(self._m.next_key(self._key(key)))

    def lookup_and_delete(self, key: Any = None) -> Any:
        return self._value_out(self._m.lookup_and_delete(self._key(key), 0))

    def keys_list(self) -> list[Any]:
        """Every key now, in iteration order, in one call (no GET_NEXT_KEY round trips)."""
        out = self._m.keys()
        return out if self.key_type is None else [self._key_out(k) for k in out]

    def dump(self) -> list[tuple[Any, Any]]:
        """Every (key, value) now, as BPF_MAP_LOOKUP_BATCH gives them: keys that vanish
        meanwhile are skipped.  Arrays list every slot."""
        m = self._m
        if self._plain_read:
            if self.key_type is None and self.value_type is None and \
                    self.map_type not in PERCPU_TYPES:
                return m.cmap.items()
            return [(self._key_out(k), self._value_out(v)) for k, v in m.cmap.items()]
        out = []
        lookup = m.lookup
        for k in m.keys():
            try:
                v = lookup(k, 0)
            except BPFError:
                continue
            out.append((self._key_out(k), self._value_out(v)))
        return out

    def push(self, value: Any, flags: int = uapi.BPF_ANY) -> None:
        raw = self._value_in(value)
        self._elem(Cmd.BPF_MAP_UPDATE_ELEM, None, ctypes.create_string_buffer(raw, len(raw)),
                   flags)

    def pop(self) -> Any:
        return self.lookup_and_delete(None)

    def peek(self) -> Any:
        return self.lookup(None)

    def freeze(self) -> None:
        attr = uapi.BpfAttr()
        attr.map_fd = self.fd
        bpf(Cmd.BPF_MAP_FREEZE, attr, runtime=self.runtime)

    def consume(self, limit: int = -1) -> list[bytes]:
        """Ring buffer: the committed records, oldest first (the consumer side)."""
        return self._obj.cmap.ring_consume(limit)

    def perf_reader(self, index: int) -> Any:
        """Perf event array: a deque receiving bpf_perf_event_output records for ``index``."""
        return self._obj.open_perf_reader(index)

    # MutableMapping ---------------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        try:
            return self.lookup(key)
        except BPFError as e:
            if e.errno == errno.ENOENT:
                raise KeyError(key) from None
            raise

    __setitem__ = update

    def __delitem__(self, key: Any) -> None:
        try:
            self.delete(key)
        except BPFError as e:
            if e.errno == errno.ENOENT:
                raise KeyError(key) from None
            raise

    def __iter__(self) -> Iterator[Any]:
        """The keys as they are when iteration starts (GET_NEXT_KEY would see later
        changes; a snapshot is what the batch commands give)."""
        return iter(self.keys_list())

    def __len__(self) -> int:
        return len(self._m.keys())

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        return self.dump()

    def __repr__(self) -> str:
        return (f"<pyebpf Map fd={self.fd} type={uapi.BpfMapType(self.map_type).name} "
                f"key={self.key_size} value={self.value_size} max={self.max_entries}>")


# plain XDP test runs (progtypes.test_run_xdp): the frame is two pages, the xdp_md in the
# second, the packet at XDP_PACKET_HEADROOM; sizes outside these take the bpf() path
_PAGE = 4096
_XDP_MIN, _XDP_MAX = 14, _PAGE - uapi.XDP_PACKET_HEADROOM - 320


class BatchResult:
    """What :meth:`Program.test_run_batch` gives back: per packet, in order, the retval,
    the data after the run (``data_out[i]``, sliced when asked for) and the duration
    (``retvals`` and ``durations`` are arrays of ints)."""

    def __init__(self, retvals: array.array, out: bytearray, packets: Sequence[bytes],
                 durations: array.array) -> None:
        self.retvals, self.durations = retvals, durations
        self._out, self._packets = out, packets
        self._offsets: list[int] | None = None
        self._lengths: list[int] = []

    def __len__(self) -> int:
        return len(self.retvals)

    @property
    def data_out(self) -> _Slices:
        if self._offsets is None:
            self._lengths = [len(p) for p in self._packets]
            offs, pos = [], 0
            for n in self._lengths:
                offs.append(pos)
                pos += n
            self._offsets = offs
        return _Slices(self._out, self._offsets, self._lengths)


class _Slices(Sequence):
    def __init__(self, out: bytearray, offsets: list[int], lengths: list[int]) -> None:
        self.out, self.offsets, self.lengths = out, offsets, lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        o = self.offsets[i]
        return bytes(self.out[o:o + self.lengths[i]])


class RunResult(NamedTuple):
    """What a test run gives back (cilium/ebpf's RunOptions after Run)."""

    retval: int
    data_out: bytes | None
    ctx_out: bytes | None
    duration: int


_new_result = tuple.__new__       # RunResult from a 4-tuple without NamedTuple's __new__


def btf_load(data: bytes, runtime: Runtime | None = None) -> int:
    """BPF_BTF_LOAD of ``data`` (a ``.BTF`` blob): the BTF object's fd, for Program's
    ``btf_fd`` (the caller closes it with ``runtime.close(fd)``)."""
    rt = runtime or default_runtime()
    buf = ctypes.create_string_buffer(data, max(len(data), 1))
    attr = uapi.BpfAttr()
    attr.btf, attr.btf_size = ctypes.addressof(buf), len(data)
    return bpf(Cmd.BPF_BTF_LOAD, attr, runtime=rt)


class Program(_FdOwner):
    """A loaded program.  ``Program(insns, uapi.BpfProgType.BPF_PROG_TYPE_XDP)``.

    ``insns`` is bytes or a list of :class:`pyebpf.isa.Instruction`; maps are
    referenced as the kernel expects (LD_IMM64 with BPF_PSEUDO_MAP_FD and the
    map's fd, or MAP_IDX into ``fd_array``).  Refusals raise
    :class:`~pyebpf.errors.LoadError`/:class:`~pyebpf.errors.VerifierError`.
    """

    def __init__(self, insns: bytes | Sequence[isa.Instruction], prog_type: int, *,
                 license: str = "GPL", name: str = "", log_level: int = 0,
                 fd_array: Sequence[int | Map] | None = None, prog_flags: int = 0,
                 expected_attach_type: int = 0, runtime: Runtime | None = None,
                 btf_fd: int = 0, func_info: Sequence[tuple[int, int]] = ()) -> None:
        """``btf_fd`` and ``func_info`` ((insn_off, BTF FUNC type id) per subprogram) are
        PROG_LOAD's prog_btf_fd and func_info, which callbacks need."""
        self.runtime = runtime or default_runtime()
        code = bytes(insns) if isinstance(insns, (bytes, bytearray, memoryview)) \
            else isa.encode(list(insns))
        buf = ctypes.create_string_buffer(code, max(len(code), 1))
        lic = ctypes.create_string_buffer(license.encode())
        log = ctypes.create_string_buffer(1 << 20) if log_level else None
        attr = uapi.BpfAttr()
        attr.prog_type, attr.insn_cnt = prog_type, len(code) // 8
        attr.insns, attr.license = ctypes.addressof(buf), ctypes.addressof(lic)
        attr.prog_name = name.encode()[:15]
        attr.prog_flags, attr.expected_attach_type = prog_flags, expected_attach_type
        if log is not None:
            attr.log_level, attr.log_size, attr.log_buf = log_level, len(log), ctypes.addressof(log)
        fds = None
        if fd_array is not None:
            fds = (ctypes.c_int * max(len(fd_array), 1))(
                *[m.fd if isinstance(m, Map) else int(m) for m in fd_array])
            attr.fd_array = ctypes.addressof(fds)
        fi_raw = b"".join(struct.pack("<II", off, tid) for off, tid in func_info)
        fi_buf = ctypes.create_string_buffer(fi_raw, max(len(fi_raw), 1))
        if func_info:
            attr.prog_btf_fd, attr.func_info_rec_size = btf_fd, 8
            attr.func_info_cnt, attr.func_info = len(func_info), ctypes.addressof(fi_buf)
        self.fd = -1
        self._fast: Any = None
        self._tid = -1
        self._one: Any = None
        self.fd = bpf(Cmd.BPF_PROG_LOAD, attr, runtime=self.runtime)
        self.log = log.value.decode() if log is not None else ""
        self.prog_type = prog_type
        self.id = self.runtime.get_prog(self.fd).id

    def test_run(self, data: bytes | None = None, ctx: bytes | ctypes.Structure | None = None,
                 repeat: int = 0, cpu: int | None = None, *,
                 data_size_out: int | None = None, ctx_out: bool | None = None,
                 flags: int = 0) -> RunResult:
        """BPF_PROG_TEST_RUN: ``data`` in, the program's retval, data, context and duration out.

        The output buffers default to room for the input plus 256 bytes (XDP and
        tc may grow a packet); ``cpu`` sets BPF_F_TEST_RUN_ON_CPU where allowed.
        A plain XDP run (data only) of a program whose helpers are all C helpers goes
        straight to the interpreter (:meth:`test_run_batch`'s loop); everything else
        through ``bpf()``, with its checks and errnos.
        """
        if (ctx is None and not repeat and cpu is None and data_size_out is None
                and ctx_out is None and not flags and type(data) is bytes
                and _XDP_MIN <= len(data) <= _XDP_MAX and not self.runtime._stats_users):
            fast = self._fast
            if fast is None:
                fast = self._fast = self._fast_path()
            if fast is not False:
                with fast._lock:
                    if fast._run_ctx is None or not fast._attached or \
                            len(fast._run_key) != len(fast.used_maps) or \
                            threading.get_ident() != self._tid:
                        self._prepare(fast)
                    return _new_result(RunResult, self._one(data, not self.runtime.verifier))
        return self._test_run_bpf(data, ctx, repeat, cpu, data_size_out=data_size_out,
                                  ctx_out=ctx_out, flags=flags)

    def test_run_batch(self, packets: Sequence[bytes]) -> BatchResult:
        """BPF_PROG_TEST_RUN of every packet in order (data only, as the CLI's capture
        runs), in one C loop where :meth:`test_run` would take its direct path (XDP,
        C helpers only), else one test run per packet.  A packet test_run refuses, or a
        fault, raises with ``packet_index`` set on the exception (and, for a refusal,
        ``partial``: the BatchResult of the packets before it, which did run)."""
        packets = packets if type(packets) is list else list(packets)
        fast = self._fast
        if fast is None:
            fast = self._fast = self._fast_path()
        if fast is not False and not self.runtime._stats_users:
            try:
                rets, out, durs = self._run_frames(packets)
            except (TypeError, ValueError):
                pass            # a packet not bytes or of a size test_run checks: below
            else:
                return BatchResult(array.array("I", bytes(rets)), out, packets,
                                   array.array("Q", bytes(durs)))
        rets_l, chunks, durs_l = [], [], []
        for i, p in enumerate(packets):
            try:
                r = self._test_run_bpf(bytes(p))
            except BPFError as e:
                # the packets before it did run: their results go with the error
                e.packet_index = i  # type: ignore[attr-defined]
                e.partial = BatchResult(  # type: ignore[attr-defined]
                    array.array("I", rets_l), bytearray(b"".join(chunks)), chunks,
                    array.array("Q", durs_l))
                raise
            rets_l.append(r.retval)
            chunks.append(r.data_out or b"")
            durs_l.append(r.duration)
        return BatchResult(array.array("I", rets_l), bytearray(b"".join(chunks)), chunks,
                           array.array("Q", durs_l))

    def _fast_path(self) -> Any:
        """The runtime's program when plain XDP test runs may skip ``bpf()``: its helper
        calls are all C helpers (none moves the packet bounds or needs the Python run
        state) and it reaches no prog array or inner map.  False otherwise."""
        from pyebpf.helpers import HELPERS

        prog = self.runtime.get_prog(self.fd)
        if self.prog_type != uapi.BpfProgType.BPF_PROG_TYPE_XDP or not prog._static_maps \
                or prog.expected_attach_type in (uapi.BpfAttachType.BPF_XDP_DEVMAP,
                                                 uapi.BpfAttachType.BPF_XDP_CPUMAP):
            return False
        for insn in prog.insns:
            if insn.code == 0x85 and insn.src == 0:
                h = HELPERS.get(insn.imm)
                if h is None or type(h.impl).__name__ != "PyCapsule" or insn.imm == 12:
                    return False
        from pyebpf.progtypes import LowBuffer

        self._frame = LowBuffer(2 * _PAGE)
        return prog

    def _prepare(self, prog: Any) -> None:
        """The program's VM and run context ready for the direct paths (the caller holds
        the program's lock): rebuilt when its maps or the calling thread changed."""
        vm = prog._vm
        if vm is None:
            vm = prog._vm = prog._make_vm()
        # get_ident is pthread_self (the native id _context keys on costs a syscall)
        self._tid = threading.get_ident()
        run = prog._context()
        if not prog._attached:
            run.attach(vm)
            prog._attached = True
        run.state = None
        self._one = functools.partial(vm.run_xdp_one, prog.core, self._frame.addr,
                                      2 * _PAGE, _PAGE, uapi.XDP_PACKET_HEADROOM)

    def _run_frames(self, packets: list[bytes]) -> tuple[bytearray, bytearray, bytearray]:
        prog = self._fast
        with prog._lock:
            if prog._run_ctx is None or not prog._attached or \
                    len(prog._run_key) != len(prog.used_maps) or \
                    threading.get_ident() != self._tid:
                self._prepare(prog)
            return prog._vm.run_xdp_frames(prog.core, self._frame.addr, 2 * _PAGE, _PAGE,
                                           uapi.XDP_PACKET_HEADROOM, packets, _XDP_MIN,
                                           _XDP_MAX, not self.runtime.verifier)

    def _test_run_bpf(self, data: bytes | None = None,
                      ctx: bytes | ctypes.Structure | None = None, repeat: int = 0,
                      cpu: int | None = None, *, data_size_out: int | None = None,
                      ctx_out: bool | None = None, flags: int = 0) -> RunResult:
        if not 0 <= repeat <= 0xFFFFFFFF:
            # BPF_PROG_TEST_RUN's repeat is a u32: a wider value would wrap silently
            raise BPFError(errno.EINVAL, f"repeat {repeat} is not a u32 (0..4294967295)")
        attr = uapi.BpfAttr()
        t = attr.test
        t.prog_fd, t.repeat = self.fd, repeat
        t.flags = flags
        keep: list = []
        if data is not None:
            din = ctypes.create_string_buffer(bytes(data), max(len(data), 1))
            size = len(data) + 256 if data_size_out is None else data_size_out
            dout = ctypes.create_string_buffer(max(size, 1))
            keep += [din, dout]
            t.data_in, t.data_size_in = ctypes.addressof(din), len(data)
            t.data_out, t.data_size_out = ctypes.addressof(dout), size
        cin = None
        if ctx is not None:
            raw = bytes(ctx)
            cin = ctypes.create_string_buffer(raw, max(len(raw), 1))
            t.ctx_in, t.ctx_size_in = ctypes.addressof(cin), len(raw)
        want_ctx = ctx is not None if ctx_out is None else ctx_out
        want_ctx = want_ctx and self.prog_type not in (
            uapi.BpfProgType.BPF_PROG_TYPE_SYSCALL, uapi.BpfProgType.BPF_PROG_TYPE_RAW_TRACEPOINT)
        if want_ctx:
            cout = ctypes.create_string_buffer(max(len(bytes(ctx or b"")), 1) + 256)
            keep.append(cout)
            t.ctx_out, t.ctx_size_out = ctypes.addressof(cout), len(cout)
        if cpu is not None:
            t.cpu = cpu
            t.flags |= uapi.BPF_F_TEST_RUN_ON_CPU
        bpf(Cmd.BPF_PROG_TEST_RUN, attr, runtime=self.runtime)
        data_out = keep[1].raw[:t.data_size_out] if data is not None else None
        if want_ctx:
            ctx_bytes = keep[-1].raw[:t.ctx_size_out]
        elif cin is not None and self.prog_type == uapi.BpfProgType.BPF_PROG_TYPE_SYSCALL:
            ctx_bytes = cin.raw[:t.ctx_size_in]
        else:
            ctx_bytes = None
        return RunResult(t.retval, data_out, ctx_bytes, t.duration)

    @property
    def last_run(self) -> Any:
        """The last test run's :class:`pyebpf.progtypes.TestRunOutcome`: with what bpf()
        cannot return, the redirect target (ifindex or map key, flags, map) and the skb
        model's VLAN tag, tunnel key and clones (``skb_meta``)."""
        return getattr(self.runtime.get_prog(self.fd), "last_run", None)

    def info(self) -> Any:
        """``struct bpf_prog_info`` of this program (OBJ_GET_INFO_BY_FD)."""
        return self._info(uapi.BpfProgInfo)

    def __repr__(self) -> str:
        return f"<pyebpf Program fd={self.fd} id={self.id} type={self.prog_type}>"


def map_fd_load(dst: int, m: Map | int) -> isa.Instruction:
    """``r<dst> = map`` as the LD_IMM64 BPF_PSEUDO_MAP_FD instruction."""
    fd = m.fd if isinstance(m, Map) else m
    return isa.Instruction(0x18, dst, isa.BPF_PSEUDO_MAP_FD, 0, fd & 0xFFFFFFFF)


__all__ = ["BatchResult", "Map", "Program", "RunResult", "map_fd_load"]
