"""The runtime: file descriptors, ids and objects, as the kernel's bpf subsystem keeps them.

A :class:`Runtime` owns every map, program and BTF object created through it,
hands out file descriptors and ids, keeps a bpffs-like pin namespace, and
performs BPF_PROG_LOAD with the kernel's workflow (see :meth:`Runtime.load_program`).
One default runtime serves the process (:func:`default_runtime`); create more to
isolate tests or tenants.

File descriptors are real: each object fd is a ``memfd`` of this process, so
numbers never collide with other files and code written for the kernel may
``os.close()`` them.  The runtime notices a closed (or reused) fd when it is next
used and drops it; :meth:`Runtime.close` does the same at once.  An object lives
while an fd, a pin, or another object (a program's used maps, a prog array)
refers to it: closing the last fd releases it, as in the kernel.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyebpf import isa, uapi
from pyebpf._maps import RunContext
from pyebpf.errors import BPFError, LoadError, VerifierError
from pyebpf.helpers import HELPERS, identity
from pyebpf.maps import MAP_IN_MAP_TYPES, BpfMap, MapAttrs
from pyebpf.progtypes import spec_for

audit = logging.getLogger("pyebpf.audit")

BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000
BPF_MAXINSNS = 4096
FUNC_TOKEN = 0xBFF0 << 48            # LD_IMM64 PSEUDO_FUNC values: token | code key << 24 | pc
_PROG_FLAGS = (uapi.BPF_F_STRICT_ALIGNMENT | uapi.BPF_F_ANY_ALIGNMENT | uapi.BPF_F_TEST_STATE_FREQ
               | uapi.BPF_F_SLEEPABLE | 0x4 | uapi.BPF_F_XDP_HAS_FRAGS | 0x40 | 0x80 | 0x100)
_UNPRIV_TYPES = {uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER,
                 uapi.BpfProgType.BPF_PROG_TYPE_CGROUP_SKB}
BPFFS_ROOT = "/sys/fs/bpf"


@dataclass
class LoadRequest:
    """BPF_PROG_LOAD attributes after copy-in (what security hooks see)."""

    prog_type: int
    insns: bytes
    license: str = "GPL"
    prog_name: str = ""
    expected_attach_type: int = 0
    prog_flags: int = 0
    log_level: int = 0
    log_size: int = 0
    fd_array: Sequence[int] | None = None
    kern_version: int = 0
    # BTF func_info (one record per subprogram): required for callbacks
    prog_btf_fd: int = 0
    func_info_rec_size: int = 0
    func_info_cnt: int = 0
    func_info: bytes = b""
    # this load's bpf_jit_enable: True/False, or None for the runtime's setting
    jit: bool | None = None


@dataclass(eq=False)
class BtfObject:
    """A loaded BTF blob (BTF_LOAD)."""

    data: bytes
    parsed: Any
    id: int = 0
    name: str = ""


@dataclass(eq=False)
class StatsHandle:
    """The fd ENABLE_STATS returns: run-time statistics are on while one is open."""

    runtime: Runtime
    id: int = 0

    def __del__(self) -> None:
        self.runtime._stats_users = max(0, self.runtime._stats_users - 1)


@dataclass(eq=False)
class BpfProg:
    """A loaded program (the kernel's ``struct bpf_prog`` and its aux data)."""

    runtime: Runtime
    prog_type: int
    expected_attach_type: int
    name: str
    insns: list[isa.Instruction]            # as loaded, pseudo sources resolved
    core: Any                               # pyebpf._core.Executable
    used_maps: list[BpfMap]
    gpl_compatible: bool
    tag: bytes
    code_key: int
    xlated: bytes = b""
    id: int = 0
    load_time: int = 0
    run_time_ns: int = 0
    run_cnt: int = 0
    verified_insns: int = 0
    max_ctx_offset: int = 0          # end of the furthest ctx access the verifier saw
    _vm: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _callbacks: dict[int, Any] = field(default_factory=dict)
    _run_ctx: Any = None
    _run_key: tuple = ()
    _attached: bool = False
    _maps_by_address: dict = field(default_factory=dict)

    _run_tid: int = -1
    _static_maps: bool = True        # no map-in-map used: the reachable maps never change

    def bind_map(self, m: BpfMap) -> None:
        """PROG_BIND_MAP: the program keeps ``m`` (and may reach it) from now on."""
        if m not in self.used_maps:
            self.used_maps.append(m)
        self._static_maps = not any(x.map_type in _DYNAMIC_MAP_TYPES for x in self.used_maps)

    def _reachable_maps(self) -> list[BpfMap]:
        """Used maps plus the maps they hold (map-in-map): what a run may touch."""
        maps: list[BpfMap] = []
        todo = list(self.used_maps)
        while todo:
            m = todo.pop()
            if m not in maps:
                maps.append(m)
                todo.extend(m.inner_maps())
                todo.extend(_tail_call_maps(m))
        return maps

    def _context(self) -> RunContext:
        """The run context, rebuilt only when the set of reachable maps changed."""
        static = self._static_maps
        if static and self._run_ctx is not None and len(self._run_key) == len(self.used_maps):
            maps = None            # fast path: nothing a run can reach has changed
        else:
            maps = self.used_maps if static else self._reachable_maps()
        key = self._run_key if maps is None else tuple(id(m) for m in maps)
        if maps is not None and (self._run_ctx is None or key != self._run_key):
            ctx = RunContext()
            ctx.set_maps([m.cmap for m in maps])
            self._maps_by_address = {m.address: m for m in maps}
            self._run_ctx, self._run_key = ctx, key
            self._attached = False
        tid = _thread_id()
        if tid != self._run_tid:
            pid_tgid, uid_gid = identity()
            pid_tgid = (pid_tgid >> 32 << 32) | tid     # a sampler runs as its thread
            self._run_ctx.set_identity(pid_tgid, uid_gid, time.monotonic_ns())
            self._run_tid = tid
        return self._run_ctx

    def _make_vm(self) -> Any:
        from pyebpf import _core

        vm = _core.VM()
        spec = spec_for(self.prog_type)
        for hid in spec.allowed_helpers():
            helper = HELPERS.get(hid)
            if helper is not None and helper.impl is not None:
                vm.set_helper(hid, helper.impl)
        return vm

    def prepare(self) -> None:
        """Build the VM and run context now (an attached program's first event should not
        pay for them)."""
        with self._lock:
            if self._vm is None:
                self._vm = self._make_vm()
            self._context()

    def execute(self, r1: int, state: Any, *, memory: tuple = (), packet: Any = None,
                cpu: int = 0) -> int:
        """Run once with ``r1`` (the context's address, inside ``memory``); returns r0."""
        with self._lock:
            if self._vm is None:
                self._vm = self._make_vm()
            vm = self._vm
            run = self._context()
            run.state = state
            state.maps_by_address = self._maps_by_address
            state.trace = self.runtime._trace
            state.callback_memory = (*memory,) + ((packet,) if packet is not None else ())
            if not self._attached:
                run.attach(vm)
                self._attached = True
            stats = self.runtime.stats_enabled
            start = time.perf_counter_ns() if stats else 0
            try:
                r0 = vm.run(self.core, r1, memory=memory, packet=packet, cpu=cpu)
            finally:
                run.state = None
            if stats:
                self.run_time_ns += time.perf_counter_ns() - start
                self.run_cnt += 1
            return r0

    def call_callback(self, vm: Any, fn: int, args: Sequence[int], state: Any,
                      memory: Sequence[Any] = ()) -> int:
        """Run the subprogram a PSEUDO_FUNC value names (bpf_loop, for_each_map_elem).

        The callback runs in its own VM on the caller's stack and the run's buffers
        (context, packet), plus ``memory``: what the helper passes it (the key copy
        for_each_map_elem hands out).
        """
        import ctypes

        from pyebpf import _core
        from pyebpf.errors import HelperError

        if fn & ~((1 << 48) - 1) != FUNC_TOKEN:
            raise HelperError(f"{fn:#x} is not a callback function pointer", -1)
        owner = self.runtime._code.get((fn >> 24) & 0xFFFFFF)
        pc = fn & 0xFFFFFF
        if owner is None or pc >= len(owner.core):
            raise HelperError(f"{fn:#x} is not a callback function pointer", -1)
        tramp = owner._callbacks.get(pc)
        if tramp is None:
            call = isa.Instruction(0x85, 0, isa.BPF_PSEUDO_CALL, 0, pc + 1)
            code = isa.encode([call, isa.Instruction(0x95, 0, 0, 0, 0)]) + owner.core.code
            tramp = owner._callbacks[pc] = _core.Executable(code, jit=owner.core.jited)
        inner = owner._make_vm()
        run = vm.user_object
        stack = (ctypes.c_char * 4096).from_address(vm.stack_top - 4096)
        # what the caller could reach, its own stack included: a nested callback
        # (bpf_loop in a callback) may be handed a pointer into any enclosing frame
        outer = getattr(state, "callback_memory", ())
        mem = (stack, *memory, *outer)
        if len(mem) > 16:
            raise HelperError("callbacks nested too deep for the interpreter's buffers", -1)
        run.attach(inner)
        state.callback_memory = mem
        try:
            r0 = inner.run(tramp, *[a & ((1 << 64) - 1) for a in args], memory=mem,
                           cpu=vm.cpu)
        finally:
            state.callback_memory = outer
            run.attach(vm)
        return r0


_tls = threading.local()


def _thread_id() -> int:
    """The calling thread's kernel tid, cached per thread (gettid is a system call)."""
    try:
        return _tls.tid
    except AttributeError:
        _tls.tid = threading.get_native_id()
        return _tls.tid


# maps through which a run may reach other maps (inner maps, tail-called programs' maps)
_DYNAMIC_MAP_TYPES = MAP_IN_MAP_TYPES | {uapi.BpfMapType.BPF_MAP_TYPE_PROG_ARRAY}


def _tail_call_maps(m: BpfMap) -> list[BpfMap]:
    """The maps of the programs a prog array holds: a tail call runs in the caller's
    context, and the callee uses its own maps (as in the kernel)."""
    if m.map_type != uapi.BpfMapType.BPF_MAP_TYPE_PROG_ARRAY:
        return []
    out: list[BpfMap] = []
    kept = m.cmap.kept                      # the program in each slot, None when empty
    for i in range(m.max_entries):
        prog = kept(i)
        if prog is not None:
            out.extend(prog.used_maps)
    return out


# of the types pyebpf runs, those that may be sleepable (KPROBE: as uprobes)
_SLEEPABLE_TYPES = {uapi.BpfProgType.BPF_PROG_TYPE_SYSCALL, uapi.BpfProgType.BPF_PROG_TYPE_KPROBE}


def _early_refusal(msg: str) -> VerifierError:
    """A refusal from the verifier's first checks, before any instruction is walked."""
    from pyebpf.verifier import _summary

    return VerifierError(msg, log=f"{msg}\n{_summary(None)}\n", err=errno.EINVAL)


def _convert_ctx_loads(insns: list[isa.Instruction], prog_type: int,
                       result: Any) -> list[isa.Instruction]:
    """convert_ctx_accesses, where its result differs from a plain load of pyebpf's
    context: narrow loads the kernel answers with the whole field (verifier.env)."""
    if result is None or not result.ctx_loads:
        return insns
    from pyebpf.verifier.env import ctx_load_conversion

    out = list(insns)
    for i, insn in enumerate(insns):
        access = result.ctx_loads.get(insn.pc)
        if access is None:
            continue
        f = ctx_load_conversion(prog_type, *access)
        if f is None:
            continue
        off = insn.off - access[0] + f
        if isa.bpf_mode(insn.code) == isa.BPF_MEMSX:
            # the kernel sign-extends the converted value's low bytes: the same load at
            # the field's start reads those
            out[i] = isa.Instruction(insn.code, insn.dst, insn.src, off, 0, insn.pc)
        else:
            out[i] = isa.Instruction(isa.BPF_LDX | isa.BPF_MEM | isa.BPF_W, insn.dst, insn.src,
                                     off, 0, insn.pc)
    return out


def _calc_tag(insns: Sequence[isa.Instruction]) -> bytes:
    """bpf_prog_calc_tag: hash of the code with map references zeroed, first 8 bytes.

    SHA-256 as in current kernels (6.18 checked; older ones used SHA-1).
    """
    out = []
    for insn in insns:
        if insn.slots == 2 and insn.src in (isa.BPF_PSEUDO_MAP_FD, isa.BPF_PSEUDO_MAP_VALUE):
            insn = isa.Instruction(insn.code, insn.dst, insn.src, insn.off, 0, insn.pc)
        out.append(insn)
    return hashlib.sha256(isa.encode(out)).digest()[:8]


class Runtime:
    """Objects, fds, ids and pins of one isolated BPF "kernel"."""

    def __init__(self, ncpus: int | None = None, privileged: bool = True,
                 verifier: bool = True, jit: bool | None = None) -> None:
        """``ncpus``: virtual CPUs (default: the host's possible CPUs, as the kernel sizes
        per-CPU values); ``verifier=False`` loads with the structural checks only (for
        running unverified code: the interpreter still keeps it inside its memory);
        ``jit``: this runtime's bpf_jit_enable (None: the process-wide one, PYEBPF_JIT).
        """
        from pyebpf.kernel import possible_cpus

        self.jit = jit
        self.ncpus = ncpus or possible_cpus()
        self.privileged = privileged
        self.verifier = verifier
        from pyebpf.fib import Fib

        self.fib = Fib()        # what bpf_fib_lookup looks up (pyebpf.fib)
        self._fds: dict[int, tuple[Any, int, int]] = {}      # fd -> (obj, dev, ino)
        self._ids: dict[str, weakref.WeakValueDictionary] = {
            k: weakref.WeakValueDictionary() for k in ("prog", "map", "btf", "link")}
        self._next_id = {k: itertools.count(1) for k in self._ids}
        self._code: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self._code_keys = itertools.count(1)
        self.pins: dict[str, Any] = {}
        self.dirs: set[str] = {BPFFS_ROOT}
        self.security_hooks: list[Callable[[LoadRequest], bool | None]] = []
        self._stats_users = 0
        self.trace_lines: deque[str] = deque(maxlen=65536)
        self._lock = threading.RLock()

    # fds ------------------------------------------------------------------------

    def new_fd(self, obj: Any) -> int:
        kind = type(obj).__name__.lower()
        fd = os.memfd_create(f"pyebpf-{kind}", os.MFD_CLOEXEC)
        st = os.fstat(fd)
        with self._lock:
            self._fds[fd] = (obj, st.st_dev, st.st_ino)
        return fd

    def _lookup(self, fd: int) -> Any:
        if not isinstance(fd, int) or not 0 <= fd < 1 << 31:
            # the kernel reads fds as int: a u32 of 2^31 and more is negative, EBADF
            raise BPFError(errno.EBADF, f"bad file descriptor {fd}")
        try:
            st = os.fstat(fd)
        except OSError:
            self._fds.pop(fd, None)
            raise BPFError(errno.EBADF, f"fd {fd} is not open") from None
        entry = self._fds.get(fd)
        if entry is None or (entry[1], entry[2]) != (st.st_dev, st.st_ino):
            stale = self._fds.pop(fd, None)
            if stale is not None:
                self._dropped(stale[0])
            raise BPFError(errno.EINVAL, f"fd {fd} is not a pyebpf object")
        return entry[0]

    def holds(self, obj: Any) -> bool:
        """Whether an open fd or a pin still refers to ``obj``."""
        return any(e[0] is obj for e in list(self._fds.values())) or \
            any(p is obj for p in list(self.pins.values()))

    @staticmethod
    def _dropped(obj: Any) -> None:
        """An fd or pin of ``obj`` went away: links detach when it was the last one."""
        notify = getattr(obj, "fd_dropped", None)
        if notify is not None:
            notify()

    def get(self, fd: int, kind: type | None = None) -> Any:
        """The object behind ``fd``: EBADF if closed, EINVAL if of another kind."""
        obj = self._lookup(fd)
        if kind is not None and not isinstance(obj, kind):
            raise BPFError(errno.EINVAL, f"fd {fd} is not a {kind.__name__}")
        return obj

    def get_map(self, fd: int) -> BpfMap:
        return self.get(fd, BpfMap)

    def get_prog(self, fd: int) -> BpfProg:
        return self.get(fd, BpfProg)

    def close(self, fd: int) -> None:
        """Close an object fd (releasing the object if nothing else holds it)."""
        with self._lock:
            entry = self._fds.pop(fd, None)
        if entry is None:
            raise BPFError(errno.EBADF, f"fd {fd} is not a pyebpf fd")
        os.close(fd)
        self._dropped(entry[0])

    def open_fds(self) -> list[int]:
        return sorted(self._fds)

    # ids --------------------------------------------------------------------------

    def _alloc_id(self, kind: str, obj: Any) -> int:
        with self._lock:
            obj.id = next(self._next_id[kind])
            self._ids[kind][obj.id] = obj
        return obj.id

    def by_id(self, kind: str, oid: int) -> Any:
        obj = self._ids[kind].get(oid)
        if obj is None:
            raise BPFError(errno.ENOENT, f"no {kind} with id {oid}")
        return obj

    def next_id(self, kind: str, start: int) -> int:
        ids = [i for i in list(self._ids[kind].keys()) if i > start]
        if not ids:
            raise BPFError(errno.ENOENT, f"no {kind} id after {start}")
        return min(ids)

    # objects ----------------------------------------------------------------------

    def create_map(self, attrs: MapAttrs, btf: BtfObject | None = None) -> BpfMap:
        """map_create: the map (attribute checks), then its BTF (map_check_btf), then an id."""
        try:
            m = BpfMap(attrs, self.ncpus)
        except MemoryError:
            # what the kernel's bpf_map_area_alloc answers when the memory is not there
            raise BPFError(errno.ENOMEM, "not enough memory for the map") from None
        if btf is not None and attrs.btf_value_type_id:
            m.check_btf(btf, attrs.btf_key_type_id, attrs.btf_value_type_id,
                        self.privileged)
        elif btf is not None:
            m.btf, m.btf_id = btf, btf.id
        self._alloc_id("map", m)
        return m

    def load_btf(self, data: bytes) -> BtfObject:
        from pyebpf.btf import BTF, check_struct_metas

        parsed = BTF(data)
        check_struct_metas(parsed)
        obj = BtfObject(data, parsed)
        self._alloc_id("btf", obj)
        return obj

    @property
    def stats_enabled(self) -> bool:
        return self._stats_users > 0

    def enable_stats(self) -> StatsHandle:
        self._stats_users += 1
        return StatsHandle(self)

    def _trace(self, line: str) -> None:
        self.trace_lines.append(line)

    def trace_pipe(self) -> list[str]:
        """Lines written by bpf_trace_printk since the last call (like reading trace_pipe)."""
        out = list(self.trace_lines)
        self.trace_lines.clear()
        return out

    # pins --------------------------------------------------------------------------

    def _check_path(self, path: str) -> str:
        path = os.path.normpath(path)
        if not path.startswith(BPFFS_ROOT + "/"):
            raise BPFError(errno.EPERM, f"{path} is not on the runtime's bpffs "
                           f"({BPFFS_ROOT})")
        if os.path.dirname(path) not in self.dirs:
            raise BPFError(errno.ENOENT, f"no directory {os.path.dirname(path)}")
        return path

    def mkdir(self, path: str) -> None:
        path = self._check_path(path)
        if path in self.dirs or path in self.pins:
            raise BPFError(errno.EEXIST, path)
        self.dirs.add(path)

    def pin(self, obj: Any, path: str) -> None:
        path = self._check_path(path)
        if path in self.pins or path in self.dirs:
            raise BPFError(errno.EEXIST, f"{path} exists")
        self.pins[path] = obj

    def unpin(self, path: str) -> None:
        path = os.path.normpath(path)
        obj = self.pins.pop(path, None)
        if obj is None:
            raise BPFError(errno.ENOENT, path)
        self._dropped(obj)

    def get_pinned(self, path: str) -> Any:
        path = self._check_path(path)
        try:
            return self.pins[path]
        except KeyError:
            raise BPFError(errno.ENOENT, f"nothing pinned at {path}") from None

    # BPF_PROG_LOAD ----------------------------------------------------------------------

    def load_program(self, req: LoadRequest) -> tuple[BpfProg, str]:
        """BPF_PROG_LOAD, following the kernel's bpf_prog_load() step by step.

        Returns the program and the verifier log.  Each step raises what the
        kernel's step returns.
        """
        # 1. attribute and permission checks
        if req.prog_flags & ~_PROG_FLAGS:
            raise BPFError(errno.EINVAL, f"unknown prog_flags {req.prog_flags:#x}")
        n = len(req.insns) // 8
        if n == 0 or n > (BPF_COMPLEXITY_LIMIT_INSNS if self.privileged else BPF_MAXINSNS):
            raise BPFError(errno.E2BIG, f"insn_cnt {n} out of range")
        if not self.privileged and req.prog_type not in _UNPRIV_TYPES:
            raise BPFError(errno.EPERM, "unprivileged loads are for socket filters only")
        # 2. program type ops lookup (find_prog_type) and attach checks
        spec = spec_for(req.prog_type)
        from pyebpf.verifier.env import check_attach_type

        if not check_attach_type(req.prog_type, req.expected_attach_type):
            raise BPFError(errno.EINVAL, f"expected_attach_type {req.expected_attach_type} "
                           f"does not suit {spec.name}")
        sleepable = bool(req.prog_flags & uapi.BPF_F_SLEEPABLE)
        # check_attach_btf_id, early in the verifier: its log says why
        if req.prog_type == uapi.BpfProgType.BPF_PROG_TYPE_SYSCALL and not sleepable:
            raise _early_refusal("Syscall programs can only be sleepable")
        if sleepable and req.prog_type not in _SLEEPABLE_TYPES:
            raise _early_refusal("Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and "
                                 "struct_ops programs can be sleepable")
        # 3. allocation, then the LSM-like security hook (security_bpf_prog_load)
        for hook in self.security_hooks:
            if hook(req) is False:
                raise BPFError(errno.EPERM, "load denied by a security hook")
        # 4. instruction copy-in, license, name
        gpl = req.license.split("\0", 1)[0] in (
            "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
            "Dual MPL/GPL")
        from pyebpf.maps import _check_name

        _check_name(req.prog_name)
        try:
            insns = isa.decode(req.insns)
        except LoadError:
            raise
        # the tag hashes the code as loaded: MAP_IDX references keep their index (only
        # MAP_FD/MAP_VALUE immediates are zeroed)
        tag = _calc_tag(insns)
        # 5. the verifier (resolve_pseudo_ldimm64 first, as bpf_check does)
        insns, used = self._normalize_pseudo(insns, req.fd_array)
        log, result = self._verify(insns, req, used, spec, gpl)
        code_key = next(self._code_keys)
        seen = result.seen if result is not None else b""
        resolved = self._resolve(self._sanitize_dead_code(
            _convert_ctx_loads(insns, req.prog_type, result), seen), used, code_key)
        # 6. runtime selection (bpf_prog_select_runtime): the JIT where it is enabled and
        # translates the program, the interpreter otherwise
        from pyebpf import _core

        core = _core.Executable(resolved, jit=self.jit if req.jit is None else req.jit)
        prog = BpfProg(self, req.prog_type, req.expected_attach_type, req.prog_name,
                       resolved, core, list(dict.fromkeys(used.values())), gpl,
                       tag, code_key, xlated=self._xlated(insns, used))
        prog.max_ctx_offset = result.max_ctx_offset if result is not None else 0
        prog._static_maps = not any(m.map_type in _DYNAMIC_MAP_TYPES for m in prog.used_maps)
        prog.load_time = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        # the instructions the verifier processed, as its log's "processed N insns" says
        prog.verified_insns = result.processed if result is not None else 0
        self._code[code_key] = prog
        # 7. id allocation, 8. audit record
        self._alloc_id("prog", prog)
        audit.info("prog-id=%d op=LOAD type=%s name=%s", prog.id,
                   uapi.BpfProgType(req.prog_type).name, req.prog_name)
        return prog, log

    def _normalize_pseudo(self, insns: list[isa.Instruction],
                          fd_array: Sequence[int] | None) -> tuple[list, dict[int, BpfMap]]:
        """MAP_IDX/MAP_IDX_VALUE -> MAP_FD/MAP_VALUE through fd_array; collect the maps."""
        used: dict[int, BpfMap] = {}
        out = []
        for insn in insns:
            if insn.slots == 2 and insn.src:
                src = insn.src
                lo = insn.imm & 0xFFFFFFFF
                hi = insn.imm >> 32
                if src in (isa.BPF_PSEUDO_MAP_IDX, isa.BPF_PSEUDO_MAP_IDX_VALUE):
                    if fd_array is None:
                        raise LoadError("fd_array is required for MAP_IDX", insn.pc)
                    if lo >= len(fd_array):
                        raise LoadError(f"fd_array index {lo} out of range", insn.pc,
                                        errno.EINVAL)
                    fd = fd_array[lo]
                    src = (isa.BPF_PSEUDO_MAP_FD if src == isa.BPF_PSEUDO_MAP_IDX
                           else isa.BPF_PSEUDO_MAP_VALUE)
                    insn = isa.Instruction(insn.code, insn.dst, src, insn.off,
                                           (hi << 32) | (fd & 0xFFFFFFFF), insn.pc)
                    lo = fd & 0xFFFFFFFF
                if src in (isa.BPF_PSEUDO_MAP_FD, isa.BPF_PSEUDO_MAP_VALUE):
                    fd = lo - (1 << 32) if lo >> 31 else lo
                    try:
                        used[fd] = self.get_map(fd)
                    except BPFError as e:
                        raise LoadError(f"fd {fd} is not pointing to valid bpf_map", insn.pc,
                                        e.errno) from None
                    if src == isa.BPF_PSEUDO_MAP_FD and hi:
                        raise LoadError("unrecognized bpf_ld_imm64 insn", insn.pc)
                elif src == isa.BPF_PSEUDO_FUNC:
                    pass
                elif src == isa.BPF_PSEUDO_BTF_ID:
                    raise LoadError("ksym (BPF_PSEUDO_BTF_ID) references need kernel BTF",
                                    insn.pc)
                else:
                    raise LoadError("unrecognized bpf_ld_imm64 insn", insn.pc)
            out.append(insn)
        return out, used

    def _verify(self, insns: list[isa.Instruction], req: LoadRequest, used: dict[int, BpfMap],
                spec: Any, gpl: bool) -> tuple[str, Any]:
        """The verifier's log and its result (None when the runtime has no verifier).

        With the verifier, helper availability and GPL-only helpers are checked on the
        instructions it reaches, as the kernel's check_helper_call does (dead code may
        name any helper); without it, on every instruction up front.  The verifier's
        dead code is then replaced by ``ja -1`` (:meth:`_sanitize_dead_code`)."""
        for insn in insns if not self.verifier else ():
            if insn.code == 0x85 and insn.src == 0:
                helper = HELPERS.get(insn.imm)
                if helper is None or not spec.helper_allowed(insn.imm, req.expected_attach_type):
                    try:  # func_id_name: the helper's name with its bpf_ prefix
                        name = "bpf_" + uapi.BpfFunc(insn.imm).name.removeprefix("BPF_FUNC_")
                    except ValueError:
                        raise VerifierError(f"invalid func unknown#{insn.imm}", pc=insn.pc,
                                            err=errno.EINVAL) from None
                    raise VerifierError(f"program of this type cannot use helper {name}#"
                                        f"{insn.imm}", pc=insn.pc, err=errno.EINVAL)
                if helper.gpl_only and not gpl:
                    raise VerifierError("cannot call GPL-restricted function from non-GPL "
                                        "compatible program", pc=insn.pc, err=errno.EINVAL)
        if not self.verifier:
            return "", None
        from pyebpf.verifier import FuncInfo, MapInfo, bpf_check

        infos = {fd: MapInfo(m.map_type, m.key_size, m.value_size, m.max_entries, m.map_flags,
                             name=m.name, has_btf=m.btf is not None,
                             fields=m.record.fields if m.record is not None else (),
                             spin_lock_off=m.spin_lock_off,
                             inner=None if m.inner_meta is None else MapInfo(
                                 m.inner_meta.map_type, m.inner_meta.key_size,
                                 m.inner_meta.value_size, m.inner_meta.max_entries,
                                 m.inner_meta.map_flags))
                 for fd, m in used.items()}
        func_info = None
        if req.func_info_cnt:
            # check_btf_info_early: the BTF the records' type ids refer to (EBADF/EINVAL)
            btf = self.get(req.prog_btf_fd, BtfObject)
            func_info = FuncInfo(req.func_info, req.func_info_rec_size, req.func_info_cnt,
                                 btf.parsed)
        result = bpf_check(insns, req.prog_type, maps=infos, log_level=req.log_level,
                           privileged=self.privileged, func_info=func_info,
                           expected_attach_type=req.expected_attach_type, gpl=gpl)
        return result.log, result

    @staticmethod
    def _sanitize_dead_code(insns: list[isa.Instruction], seen: bytes) -> list[isa.Instruction]:
        """sanitize_dead_code: every slot the verifier never reached becomes ``ja -1``, so
        that dead code (which may write r10 or carry reserved fields: the kernel checks
        those only where it walks) reaches neither the interpreter's checks nor a run."""
        if not seen:  # not verified
            return insns
        out: list[isa.Instruction] = []
        for insn in insns:
            if any(seen[insn.pc:insn.pc + insn.slots]):
                out.append(insn)
            else:
                out.extend(isa.Instruction(0x05, 0, 0, -1, 0, insn.pc + k)
                           for k in range(insn.slots))
        return out

    def _resolve(self, insns: list[isa.Instruction], used: dict[int, BpfMap],
                 code_key: int) -> list[isa.Instruction]:
        """Put map addresses (and callback tokens) where the pseudo sources were."""
        out = []
        for insn in insns:
            if insn.slots == 2 and insn.src:
                lo, hi = insn.imm & 0xFFFFFFFF, insn.imm >> 32
                if insn.src == isa.BPF_PSEUDO_FUNC:
                    target = insn.pc + 1 + (lo - (1 << 32) if lo >> 31 else lo)
                    value = FUNC_TOKEN | (code_key << 24) | target
                else:
                    m = used[lo - (1 << 32) if lo >> 31 else lo]
                    if insn.src == isa.BPF_PSEUDO_MAP_FD:
                        value = m.address
                    else:
                        # map_direct_value_addr: single-element arrays only
                        if m.map_type != uapi.BpfMapType.BPF_MAP_TYPE_ARRAY:
                            raise LoadError("direct value access on this map type", insn.pc)
                        if m.max_entries != 1:
                            raise LoadError("direct value access needs max_entries 1",
                                            insn.pc, 524)
                        if hi >= m.value_size:
                            raise LoadError(f"invalid access to map value pointer, value_size="
                                            f"{m.value_size} off={hi}", insn.pc)
                        value = m.cmap.values_address + hi
                insn = isa.Instruction(insn.code, insn.dst, 0, insn.off, value, insn.pc)
            out.append(insn)
        return out

    @staticmethod
    def _xlated(insns: list[isa.Instruction], used: dict[int, BpfMap]) -> bytes:
        """The code as OBJ_GET_INFO shows it: map fds replaced by map ids."""
        out = []
        for insn in insns:
            if insn.slots == 2 and insn.src in (isa.BPF_PSEUDO_MAP_FD, isa.BPF_PSEUDO_MAP_VALUE):
                lo = insn.imm & 0xFFFFFFFF
                m = used[lo - (1 << 32) if lo >> 31 else lo]
                insn = isa.Instruction(insn.code, insn.dst, insn.src, insn.off,
                                       (insn.imm >> 32 << 32) | m.id, insn.pc)
            out.append(insn)
        return isa.encode(out)


_default: Runtime | None = None
_default_lock = threading.Lock()


def default_runtime() -> Runtime:
    """The process-wide runtime ``pyebpf.bpf()`` uses unless given another."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Runtime()
        return _default
