# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False, overflowcheck=False
"""The eBPF interpreter: pre-decoded instructions run by a typed Cython loop.

``cdivision`` is on, so the eBPF semantics it changes are written out in the
generated dispatch (``_dispatch.pxi``): divide by zero gives 0, modulo by zero
keeps the dividend, ``INT_MIN / -1`` and shift counts masked with 63 / 31.

Every load, store and atomic goes through :c:func:`vm_access`, which accepts
an address only inside a region the program was given (its live stack frames,
buffers passed to :meth:`VM.run`, regions the runtime registered such as map
storage).  Host memory outside them is never read or written, verified or not.
"""

from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_IsValid
from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from pyebpf._atomic cimport (
    atomic_cmpxchg32,
    atomic_cmpxchg64,
    atomic_fetch_add32,
    atomic_fetch_add64,
    atomic_fetch_and32,
    atomic_fetch_and64,
    atomic_fetch_or32,
    atomic_fetch_or64,
    atomic_fetch_xor32,
    atomic_fetch_xor64,
    atomic_xchg32,
    atomic_xchg64,
)
from libc.stdlib cimport calloc, free
from libc.string cimport memcpy, memmove, memset
from posix.time cimport CLOCK_MONOTONIC, clock_gettime, timespec

import errno as _errno

from pyebpf.errors import (
    BudgetExceededError,
    CallDepthError,
    ExecutionError,
    HelperError,
    LoadError,
    MemoryAccessError,
    ProgramExit,
)
from pyebpf.isa import BPF_PSEUDO_KFUNC_CALL, HANDLER_ID, check_program, jump_target

cdef extern from * nogil:
    """
    #include <stdint.h>
    #include <string.h>
    static inline uint8_t  ld8(const uint8_t *p)  { return *p; }
    static inline uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
    static inline uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
    static inline uint64_t ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
    static inline void st8(uint8_t *p, uint8_t v)   { *p = v; }
    static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
    static inline void st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
    static inline void st64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
    #define bswap16(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
    #define bswap32(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
    #define bswap64(x) ((uint64_t)__builtin_bswap64((uint64_t)(x)))

    """
    uint8_t ld8(const uint8_t *p)
    uint16_t ld16(const uint8_t *p)
    uint32_t ld32(const uint8_t *p)
    uint64_t ld64(const uint8_t *p)
    void st8(uint8_t *p, uint8_t v)
    void st16(uint8_t *p, uint16_t v)
    void st32(uint8_t *p, uint32_t v)
    void st64(uint8_t *p, uint64_t v)
    uint16_t bswap16(uint64_t x)
    uint32_t bswap32(uint64_t x)
    uint64_t bswap64(uint64_t x)
    void unreachable "__builtin_unreachable"()



DEFAULT_BUDGET = 1_000_000_000
"""Instructions a run may execute unless told otherwise (about two seconds)."""

MAX_BUDGET = 1 << 58
"""The largest budget: the loop counts it in bytes of code (x16) in an int64."""

cdef enum:
    MAX_RUN_BUFFERS = 16

_MASK64 = (1 << 64) - 1


cdef Py_ssize_t active_runs = 0    # runs in progress in this process (changed under the GIL)
_retired: list = []


def release_after_runs(obj) -> None:
    """Drop ``obj`` once no program is running (at once when none is).

    A prog array or map-of-maps slot that is replaced or cleared may hold what a
    running program executes or points into (another thread's run, without the
    GIL); as the kernel defers such frees past an RCU grace period, the last
    reference is kept until every run in progress has ended.
    """
    if active_runs:
        _retired.append(obj)


# --- C-level machinery used by the generated loop ---------------------------

cdef uint8_t *vm_access(VMState *vm, uint64_t addr, uint64_t size, uint32_t need) noexcept nogil:
    """The host pointer for [addr, addr+size) if one region allows ``need``, else NULL.

    The region that satisfied the access becomes the "hot" one for its kind,
    which :c:func:`hot_read`/:c:func:`hot_write` try first.
    """
    cdef int i
    cdef Region *r
    for i in range(vm.nregions):
        r = &vm.regions[i]
        if (addr >= r.start and addr - r.start <= r.end - r.start
                and size <= r.end - addr and (r.flags & need) == need):
            if need & REGION_WRITE:
                vm.hot_write_start = r.start
                vm.hot_write_span = r.end - r.start
                if r.flags & REGION_RW == REGION_RW:
                    vm.jit_write_start = r.start
                    vm.jit_write_lim = r.end - r.start - 7 if r.end - r.start >= 8 else 0
            if need & REGION_READ:
                vm.hot_read_start = r.start
                vm.hot_read_span = r.end - r.start
                vm.jit_read_start = r.start
                vm.jit_read_lim = r.end - r.start - 7 if r.end - r.start >= 8 else 0
            return <uint8_t *>addr
    return NULL


cdef inline void forget_hot(VMState *vm) noexcept nogil:
    vm.hot_read_span = 0
    vm.hot_write_span = 0
    vm.jit_read_lim = 0
    vm.jit_write_lim = 0


cdef inline uint8_t *hot_read(VMState *vm, uint64_t addr, uint64_t size) noexcept nogil:
    cdef uint64_t off = addr - vm.hot_read_start
    if off < vm.hot_read_span and vm.hot_read_span - off >= size:
        return <uint8_t *>addr
    return vm_access(vm, addr, size, REGION_READ)


cdef inline uint8_t *hot_write(VMState *vm, uint64_t addr, uint64_t size) noexcept nogil:
    cdef uint64_t off = addr - vm.hot_write_start
    if off < vm.hot_write_span and vm.hot_write_span - off >= size:
        return <uint8_t *>addr
    return vm_access(vm, addr, size, REGION_WRITE)


cdef int vm_fault(VMState *vm, int kind, uint64_t addr, uint64_t size) noexcept nogil:
    vm.fault_kind = kind
    vm.fault_addr = addr
    vm.fault_size = size
    return -1


cdef inline void set_stack_region(VMState *vm) noexcept nogil:
    vm.regions[0].start = <uint64_t>(vm.stack + (MAX_FRAMES - 1 - vm.depth) * STACK_SIZE)
    forget_hot(vm)


cdef inline void push_frame(VMState *vm, Insn *insns, int32_t ninsns, int32_t ret_pc) noexcept nogil:
    cdef Frame *f = &vm.frames[vm.depth]
    cdef uint64_t *reg = vm.regs
    f.saved[0] = reg[6]
    f.saved[1] = reg[7]
    f.saved[2] = reg[8]
    f.saved[3] = reg[9]
    f.saved[4] = reg[10]
    f.insns = insns
    f.ninsns = ninsns
    f.ret_pc = ret_pc
    f.may_goto = vm.may_goto
    vm.may_goto = MAX_LOOPS
    vm.depth += 1
    reg[10] = reg[10] - STACK_SIZE
    set_stack_region(vm)


cdef Insn *pop_frame(VMState *vm, Insn **insns, int32_t *ninsns) noexcept nogil:
    """Back to the caller: its registers, code and may_goto budget; returns where it goes on
    (in the caller's code, which a tail call in the callee may have replaced)."""
    cdef Frame *f
    cdef uint64_t *reg = vm.regs
    vm.depth -= 1
    f = &vm.frames[vm.depth]
    reg[6] = f.saved[0]
    reg[7] = f.saved[1]
    reg[8] = f.saved[2]
    reg[9] = f.saved[3]
    reg[10] = f.saved[4]
    insns[0] = f.insns
    ninsns[0] = f.ninsns
    vm.may_goto = f.may_goto
    set_stack_region(vm)
    return f.insns + f.ret_pc


cdef int call_python(VMState *vm, void *fn) noexcept with gil:
    cdef VM owner = <VM>vm.owner
    cdef uint64_t *r = vm.regs
    vm.tail_insns = NULL
    try:
        res = (<object>fn)(owner, r[1], r[2], r[3], r[4], r[5])
        r[0] = 0 if res is None else (res & _MASK64)
    except ProgramExit as exc:
        r[0] = exc.r0 & _MASK64
        return HELPER_EXIT
    except BaseException as exc:  # re-raised by VM.run once the loop has stopped
        owner.pending_exc = exc
        return vm_fault(vm, FAULT_PYTHON, 0, 0)
    if vm.tail_insns != NULL:
        return HELPER_TAIL_CALL
    return HELPER_OK


cdef inline int call_helper(VMState *vm, uint64_t hid) noexcept nogil:
    cdef HelperSlot *slot
    if hid >= MAX_HELPERS:
        return vm_fault(vm, FAULT_NO_HELPER, hid, 0)
    slot = &vm.helpers[hid]
    if slot.fn != NULL:
        return slot.fn(vm, vm.regs)
    if slot.py != NULL:
        return call_python(vm, slot.py)
    return vm_fault(vm, FAULT_NO_HELPER, hid, 0)


cdef int vm_call_helper(VMState *vm, uint64_t hid) noexcept nogil:
    """call_helper for the JIT's generated code: C helpers and the fenced Python path."""
    return call_helper(vm, hid)


include "_dispatch.pxi"


cdef inline void xdp_frame_start(VMState *vm, uint64_t frame, uint64_t ctx_off,
                                 uint64_t headroom, const void *pkt, uint64_t plen, int cpu,
                                 int64_t budget) noexcept nogil:
    """One XDP test run's start, as test_run_xdp lays it out: the packet at the headroom,
    ``xdp_md`` (data, data_end, data_meta, ingress_ifindex 1) at ``ctx_off``, r1 pointing
    at it, a clean stack and the run's counters."""
    cdef uint32_t *ctx = <uint32_t *>(frame + ctx_off)
    memcpy(<void *>(frame + headroom), pkt, plen)
    memset(<void *>ctx, 0, 24)
    ctx[0] = <uint32_t>(frame + headroom)
    ctx[1] = <uint32_t>(frame + headroom + plen)
    ctx[2] = <uint32_t>(frame + headroom)
    ctx[3] = 1
    memset(vm.regs, 0, sizeof(vm.regs))
    vm.regs[1] = frame + ctx_off
    vm.regs[10] = <uint64_t>(vm.stack + MAX_FRAMES * STACK_SIZE)
    memset(vm.stack + (MAX_FRAMES - 1) * STACK_SIZE, 0, STACK_SIZE)
    vm.depth = 0
    set_stack_region(vm)
    vm.tail_calls = 0
    vm.may_goto = MAX_LOOPS
    vm.cpu = cpu
    vm.fault_kind = FAULT_NONE
    vm.budget = budget



assert sizeof(Insn) == INSN_BYTES


# --- Python-facing objects -----------------------------------------------------

cdef int32_t _s32(object v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= (1 << 31) else v


cdef class Executable:
    """A structurally checked, pre-decoded program ready for :meth:`VM.run`.

    ``code`` is the raw instructions (bytes) or a list of
    :class:`pyebpf.isa.Instruction`; ``cpu`` refuses instructions newer than
    that version ("v1".."v4", "probe").  Any defect raises
    :class:`pyebpf.errors.LoadError` naming the pc.
    """

    def __cinit__(self):
        self.insns = NULL
        self.ninsns = 0
        self.jit_entry = NULL

    def __init__(self, code, cpu="probe", jit=None):
        from pyebpf.isa import cpu_version, encode

        insns = check_program(code, cpu)
        for insn in insns:
            if insn.code == 0x85 and insn.src == BPF_PSEUDO_KFUNC_CALL:
                raise LoadError("kernel function calls are not supported", pc=insn.pc)
        self.instructions = insns
        self.code = bytes(code) if isinstance(code, (bytes, bytearray, memoryview)) else encode(insns)
        self.cpu = cpu_version(cpu)
        last = insns[len(insns) - 1]
        self.ninsns = last.pc + last.slots
        self.insns = <Insn *>calloc(self.ninsns, sizeof(Insn))
        if self.insns == NULL:
            raise MemoryError()
        cdef Insn *out
        for insn in insns:
            spec = insn.spec
            out = &self.insns[insn.pc]
            out.handler = HANDLER_ID[spec.ident]
            out.opcode = insn.code
            out.dst = insn.dst
            out.src = insn.src
            out.off = insn.off
            out.imm = _s32(insn.imm)
            if insn.slots == 2:
                self.insns[insn.pc + 1].imm = _s32(insn.imm >> 32)
            target = jump_target(insn, spec)
            out.target = -1 if target is None else target * sizeof(Insn)
        # bpf_prog_select_runtime: native code where the JIT is on and compiles the
        # program, the interpreter otherwise (pyebpf._jit.select_runtime says which).
        if jit is not False:
            try:
                from pyebpf import _jit
            except ImportError as exc:   # not built: the interpreter
                self.jit_error = f"no JIT module: {exc}"
            else:
                _jit.select_runtime(self, jit)

    def _set_jit(self, image, uint64_t entry):
        """Run ``entry`` (native code ``image`` keeps alive) instead of the interpreter."""
        self.jit_image = image
        self.jit_entry = <jit_fn>entry
        self.jit_error = None

    def _set_jit_error(self, reason):
        self.jit_image = None
        self.jit_entry = NULL
        self.jit_error = reason

    @property
    def jited(self):
        """Whether runs of this program execute native code (the JIT's)."""
        return self.jit_entry != NULL

    def __dealloc__(self):
        free(self.insns)

    def __len__(self):
        return self.ninsns

    def __repr__(self):
        jit = ", jited" if self.jit_entry != NULL else ""
        return f"<pyebpf Executable: {self.ninsns} insns, cpu v{self.cpu}{jit}>"


cdef class VM:
    """An interpreter: registers, a 4 KiB stack (8 frames of 512 bytes), helpers.

    Helpers are installed by id with :meth:`set_helper`: a Python callable
    ``fn(vm, r1, r2, r3, r4, r5) -> int`` or a C function pointer wrapped in a
    capsule named ``"pyebpf.helper"``.  A VM runs one program at a time and
    is not shared between threads; the GIL is released while the program runs
    and no Python helper is being called.
    """

    def __cinit__(self):
        memset(&self.state, 0, sizeof(VMState))
        memset(self.slots, 0, sizeof(self.slots))
        self.state.stack = <uint8_t *>calloc(MAX_FRAMES * STACK_SIZE, 1)
        if self.state.stack == NULL:
            raise MemoryError()
        self.state.helpers = self.slots
        self.state.owner = <void *>self
        self.state.regions[0].end = <uint64_t>(self.state.stack + MAX_FRAMES * STACK_SIZE)
        self.state.regions[0].flags = REGION_RW
        self.state.nregions = 1
        self.helpers = {}
        self.static_regions = []

    def __init__(self, budget=DEFAULT_BUDGET):
        self.budget_default = budget

    def __dealloc__(self):
        free(self.state.stack)

    # helpers ---------------------------------------------------------------

    def set_helper(self, int hid, fn):
        """Install ``fn`` as helper ``hid`` (None removes it)."""
        if not 0 <= hid < MAX_HELPERS:
            raise ValueError(f"helper id {hid} out of range 0..{MAX_HELPERS - 1}")
        self.slots[hid].fn = NULL
        self.slots[hid].py = NULL
        self.helpers.pop(hid, None)
        if fn is None:
            return
        if PyCapsule_IsValid(fn, b"pyebpf.helper"):
            self.slots[hid].fn = <helper_fn>PyCapsule_GetPointer(fn, b"pyebpf.helper")
        elif callable(fn):
            self.slots[hid].py = <void *>fn
        else:
            raise TypeError(f"helper {hid} must be callable or a pyebpf.helper capsule")
        self.helpers[hid] = fn

    def get_helper(self, int hid):
        return self.helpers.get(hid)

    def tail_call(self, Executable prog not None) -> bool:
        """From a Python helper: continue with ``prog`` after the helper returns.

        Returns False (and changes nothing) once 33 tail calls were made in
        this run, the kernel's MAX_TAIL_CALL_CNT.
        """
        if not self.running:
            raise ExecutionError("VM.tail_call: only a helper of a running program "
                                 "can tail-call", -1, _errno.EINVAL)
        if self.state.tail_calls >= TAIL_CALL_LIMIT:
            return False
        self.state.tail_calls += 1
        self.state.tail_insns = prog.insns
        self.state.tail_ninsns = prog.ninsns
        self._keep.append(prog)
        return True

    # memory ------------------------------------------------------------------

    def set_static_regions(self, regions):
        """Regions valid in every run: (address, size, writable) of memory the caller owns.

        The runtime uses this for map storage; whoever calls it keeps that
        memory alive and unchanged in place until the regions are replaced.
        Called while a run is in progress (a callback helper attaching its maps), the
        run's own buffers (context, packet) stay valid after the new static regions.
        """
        regions = [(int(a), int(n), bool(w)) for a, n, w in regions]
        if len(regions) > MAX_REGIONS - 1 - MAX_RUN_BUFFERS:
            raise ValueError("too many static regions")
        cdef int old_end = 1 + len(self.static_regions)
        cdef int nrun = self.state.nregions - old_end
        cdef int new_end = 1 + len(regions)
        self.static_regions = regions
        forget_hot(&self.state)
        if nrun > 0:
            memmove(&self.state.regions[new_end], &self.state.regions[old_end],
                    nrun * sizeof(Region))
        else:
            nrun = 0
        cdef int i = 1
        for a, n, w in regions:
            self.state.regions[i].start = a
            self.state.regions[i].end = a + n
            self.state.regions[i].flags = REGION_RW if w else REGION_READ
            i += 1
        self.state.nregions = new_end + nrun

    def read(self, uint64_t addr, uint64_t size) -> bytes:
        """Bytes at a program address, checked like a program's load."""
        cdef uint8_t *p = vm_access(&self.state, addr, size, REGION_READ)
        if p == NULL:
            raise MemoryAccessError(f"invalid read of {size} bytes at {addr:#x}", -1, addr, size)
        return (<char *>p)[:size]

    def write(self, uint64_t addr, const uint8_t[:] data) -> None:
        """Store bytes at a program address, checked like a program's store."""
        cdef uint64_t size = data.shape[0]
        cdef uint8_t *p = vm_access(&self.state, addr, size, REGION_WRITE)
        if p == NULL:
            raise MemoryAccessError(f"invalid write of {size} bytes at {addr:#x}", -1, addr, size)
        cdef uint64_t i
        for i in range(size):
            p[i] = data[i]

    def readable(self, uint64_t addr, uint64_t size) -> bool:
        return vm_access(&self.state, addr, size, REGION_READ) != NULL

    def writable(self, uint64_t addr, uint64_t size) -> bool:
        return vm_access(&self.state, addr, size, REGION_WRITE) != NULL

    @property
    def cpu(self):
        return self.state.cpu

    @property
    def stack_top(self):
        return <uint64_t>(self.state.stack + MAX_FRAMES * STACK_SIZE)

    # running -------------------------------------------------------------------

    def run(self, Executable prog not None, uint64_t r1=0, uint64_t r2=0, uint64_t r3=0,
            uint64_t r4=0, uint64_t r5=0, *, memory=(), packet=None, int cpu=0,
            budget=None):
        """Run ``prog`` to its exit and return r0 (an unsigned 64-bit int).

        ``memory`` lists buffers the program may access (bytes read-only,
        bytearray/memoryview/ctypes writable): their addresses are what
        :func:`address_of` returns.  ``packet`` is a buffer LD_ABS/LD_IND read
        (and that may also be read directly).  Faults raise
        :class:`~pyebpf.errors.ExecutionError` subclasses; an exception from a
        Python helper is re-raised as it was.
        """
        cdef VMState *vm = &self.state
        cdef Py_buffer views[MAX_RUN_BUFFERS]
        cdef int nviews = 0
        cdef int rc
        cdef int base = vm.nregions
        cdef int nstatic = 1 + len(self.static_regions)
        cdef Region *r
        cdef Insn *code
        cdef int32_t ncode
        global active_runs
        if self.running:
            # a nested run would reset the registers, the stack and the objects the
            # outer run keeps alive (a tail call's target): refused, as nothing re-enters
            raise ExecutionError("VM.run: this VM is already running a program "
                                 "(re-entrant runs are refused; use another VM)", -1,
                                 _errno.EBUSY)
        self.running = True
        active_runs += 1
        self._keep = []
        self.pending_exc = None
        try:
            for obj in memory:
                if nviews == MAX_RUN_BUFFERS:
                    raise ValueError(f"at most {MAX_RUN_BUFFERS} memory buffers per run")
                r = &vm.regions[vm.nregions]
                if isinstance(obj, bytes):
                    PyObject_GetBuffer(obj, &views[nviews], PyBUF_SIMPLE)
                    r.flags = REGION_READ
                else:
                    PyObject_GetBuffer(obj, &views[nviews], PyBUF_WRITABLE)
                    r.flags = REGION_RW
                r.start = <uint64_t>views[nviews].buf
                r.end = r.start + <uint64_t>views[nviews].len
                nviews += 1
                vm.nregions += 1
            if packet is not None:
                PyObject_GetBuffer(packet, &views[nviews], PyBUF_SIMPLE)
                vm.packet = <const uint8_t *>views[nviews].buf
                vm.packet_len = views[nviews].len
                r = &vm.regions[vm.nregions]
                r.start = <uint64_t>vm.packet
                r.end = r.start + vm.packet_len
                r.flags = REGION_READ
                nviews += 1
                vm.nregions += 1
            else:
                vm.packet = NULL
                vm.packet_len = 0
            memset(vm.regs, 0, sizeof(vm.regs))
            vm.regs[1] = r1
            vm.regs[2] = r2
            vm.regs[3] = r3
            vm.regs[4] = r4
            vm.regs[5] = r5
            vm.regs[10] = <uint64_t>(vm.stack + MAX_FRAMES * STACK_SIZE)
            memset(vm.stack + (MAX_FRAMES - 1) * STACK_SIZE, 0, STACK_SIZE)
            vm.depth = 0
            set_stack_region(vm)
            vm.tail_calls = 0
            vm.may_goto = MAX_LOOPS
            vm.cpu = cpu
            vm.fault_kind = FAULT_NONE
            vm.budget = min(self.budget_default if budget is None else budget, MAX_BUDGET)
            code = prog.insns
            ncode = prog.ninsns
            with nogil:
                rc = HELPER_TAIL_CALL
                if prog.jit_entry != NULL:
                    rc = prog.jit_entry(vm)
                    if rc == HELPER_TAIL_CALL:
                        # a tail call from native code continues in the interpreter,
                        # which takes over the frames and budget the JIT left
                        forget_hot(vm)
                        code = vm.tail_insns
                        ncode = vm.tail_ninsns
                if rc == HELPER_TAIL_CALL:   # one call site: GCC inlines the loop here
                    rc = run_loop(vm, code, ncode)
        finally:
            for i in range(nviews):
                PyBuffer_Release(&views[i])
            forget_hot(vm)
            # a helper may have replaced the static regions during the run
            vm.nregions = base + 1 + len(self.static_regions) - nstatic
            vm.packet = NULL
            vm.packet_len = 0
            vm.depth = 0
            set_stack_region(vm)
            self.running = False
            active_runs -= 1
            if active_runs == 0:
                _retired.clear()
        if rc != 0:
            self._raise_fault()
        return vm.regs[0]

    def run_xdp_frames(self, Executable prog not None, uint64_t frame, uint64_t frame_size,
                       uint64_t ctx_off, uint64_t headroom, list packets not None,
                       uint64_t min_len, uint64_t max_len, bint scrub_frame=False, int cpu=0):
        """XDP test runs of every packet in one C loop (the GIL released throughout).

        For programs whose helpers are all C helpers that leave the packet bounds alone
        (the caller checks): each packet is copied to ``frame + headroom``, the
        ``xdp_md`` at ``frame + ctx_off`` is set as bpf_prog_test_run_xdp sets it (data,
        data_end, data_meta, ingress_ifindex 1, rx_queue_index 0), the program runs with
        the frame as its one region, and the packet is copied out and its bytes zeroed
        again, so every run starts from the frame the kernel would allocate.
        ``scrub_frame`` zeroes the whole frame between runs (unverified programs may write
        anywhere in it).  Returns (retvals, data_out, durations): the u32 retvals and u64
        durations (ns) packed in native order, and the packets' bytes after their runs
        concatenated.  A packet that is not ``bytes`` raises TypeError, one outside
        ``min_len..max_len`` ValueError, before anything runs; a fault stops the loop and
        raises with ``packet_index`` set on the exception.
        """
        cdef VMState *vm = &self.state
        cdef Py_ssize_t n = len(packets), i, total = 0
        cdef const uint8_t **src = NULL
        cdef uint64_t *lens = NULL
        cdef uint32_t *rets
        cdef uint64_t *durs
        cdef uint8_t *outp
        cdef uint64_t plen, base = vm.nregions
        cdef Region *r
        cdef int rc = 0
        cdef Py_ssize_t failed = -1
        cdef timespec t0, t1
        cdef int64_t budget = min(self.budget_default, MAX_BUDGET)
        if frame_size < ctx_off + 24 or headroom + max_len > ctx_off or \
                base + 1 > MAX_REGIONS:
            raise ValueError("frame layout")
        for i in range(n):
            p = packets[i]
            if type(p) is not bytes:
                raise TypeError(f"packet {i} is not bytes")
            plen = len(<bytes>p)
            if plen < min_len or plen > max_len:
                raise ValueError(f"packet {i}: {plen} bytes")
            total += plen
        out = bytearray(total)
        ret_buf = bytearray(4 * n)
        dur_buf = bytearray(8 * n)
        src = <const uint8_t **>calloc(n + 1, sizeof(void *))
        lens = <uint64_t *>calloc(n + 1, sizeof(uint64_t))
        if src == NULL or lens == NULL:
            free(src); free(lens)
            raise MemoryError()
        for i in range(n):
            src[i] = <const uint8_t *><char *>(<bytes>packets[i])
            lens[i] = len(<bytes>packets[i])
        outp = <uint8_t *>(<char *>out) if total else NULL
        rets = <uint32_t *>(<char *>ret_buf) if n else NULL
        durs = <uint64_t *>(<char *>dur_buf) if n else NULL
        self._keep = []
        self.pending_exc = None
        r = &vm.regions[vm.nregions]
        r.start = frame
        r.end = frame + frame_size
        r.flags = REGION_RW
        vm.nregions += 1
        vm.packet = NULL
        vm.packet_len = 0
        try:
            with nogil:
                for i in range(n):
                    plen = lens[i]
                    xdp_frame_start(vm, frame, ctx_off, headroom, src[i], plen, cpu, budget)
                    clock_gettime(CLOCK_MONOTONIC, &t0)
                    rc = run_loop(vm, prog.insns, prog.ninsns)
                    clock_gettime(CLOCK_MONOTONIC, &t1)
                    forget_hot(vm)
                    if rc != 0:
                        failed = i
                        break
                    durs[i] = <uint64_t>((t1.tv_sec - t0.tv_sec) * 1000000000
                                         + (t1.tv_nsec - t0.tv_nsec))
                    rets[i] = <uint32_t>vm.regs[0]
                    memcpy(outp, <void *>(frame + headroom), plen)
                    outp += plen
                    if scrub_frame:
                        memset(<void *>frame, 0, frame_size)
                    else:
                        memset(<void *>(frame + headroom), 0, plen)
            if failed >= 0:
                if scrub_frame:
                    memset(<void *>frame, 0, frame_size)
                else:
                    memset(<void *>(frame + headroom), 0, lens[failed])
                try:
                    self._raise_fault()
                except BaseException as e:
                    e.packet_index = failed
                    raise
        finally:
            free(src); free(lens)
            forget_hot(vm)
            vm.nregions = base
            vm.depth = 0
            set_stack_region(vm)
        return ret_buf, out, dur_buf

    def run_xdp_one(self, Executable prog not None, uint64_t frame, uint64_t frame_size,
                    uint64_t ctx_off, uint64_t headroom, bytes data not None,
                    bint scrub_frame=False):
        """One packet of :meth:`run_xdp_frames` (the caller has checked its size), for a
        single test run: (retval, data_out, None, duration_ns), a RunResult's fields."""
        cdef VMState *vm = &self.state
        cdef uint64_t plen = len(data), base = vm.nregions
        cdef const uint8_t *src = <const uint8_t *><char *>data
        cdef Region *r
        cdef int rc
        cdef timespec t0, t1
        cdef int64_t budget = min(self.budget_default, MAX_BUDGET)
        if frame_size < ctx_off + 24 or headroom + plen > ctx_off or base + 1 > MAX_REGIONS:
            raise ValueError("frame layout")
        self._keep = []
        self.pending_exc = None
        r = &vm.regions[vm.nregions]
        r.start = frame
        r.end = frame + frame_size
        r.flags = REGION_RW
        vm.nregions += 1
        vm.packet = NULL
        vm.packet_len = 0
        try:
            with nogil:
                xdp_frame_start(vm, frame, ctx_off, headroom, src, plen, 0, budget)
                clock_gettime(CLOCK_MONOTONIC, &t0)
                rc = run_loop(vm, prog.insns, prog.ninsns)
                clock_gettime(CLOCK_MONOTONIC, &t1)
                forget_hot(vm)
            out = (<char *>(frame + headroom))[:plen] if rc == 0 else None
            if scrub_frame:
                memset(<void *>frame, 0, frame_size)
            else:
                memset(<void *>(frame + headroom), 0, plen)
            if rc != 0:
                self._raise_fault()
        finally:
            vm.nregions = base
            vm.depth = 0
            set_stack_region(vm)
        return (<uint32_t>vm.regs[0], out, None,
                <uint64_t>((t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec)))

    def registers(self):
        """r0..r10 as left by the last run."""
        return [self.state.regs[i] for i in range(11)]

    def _raise_fault(self):
        cdef VMState *vm = &self.state
        pc = vm.fault_pc
        kind = vm.fault_kind
        addr = vm.fault_addr
        size = vm.fault_size
        if kind == FAULT_PYTHON:
            exc = self.pending_exc
            self.pending_exc = None
            raise exc
        if kind == FAULT_READ:
            raise MemoryAccessError(f"invalid read of {size} bytes at {addr:#x}", pc, addr, size)
        if kind == FAULT_WRITE:
            raise MemoryAccessError(f"invalid write of {size} bytes at {addr:#x}", pc, addr, size)
        if kind == FAULT_BUDGET:
            raise BudgetExceededError("instruction budget exhausted", pc)
        if kind == FAULT_DEPTH:
            raise CallDepthError(f"call depth exceeds {MAX_FRAMES} frames", pc)
        if kind == FAULT_NO_HELPER:
            raise HelperError(f"call to unknown helper {addr}", pc)
        if kind == FAULT_HELPER:
            raise HelperError(f"helper failed (code {addr})", pc)
        if kind == FAULT_ILLEGAL:
            raise ExecutionError(f"illegal instruction {addr:#04x}", pc)
        raise ExecutionError(f"program stopped (fault {kind})", pc)


def address_of(obj) -> int:
    """The address a program sees for a buffer passed in ``memory=``."""
    cdef Py_buffer view
    PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
    cdef uint64_t addr = <uint64_t>view.buf
    PyBuffer_Release(&view)
    return addr


__all__ = ["DEFAULT_BUDGET", "MAX_BUDGET", "VM", "Executable", "address_of",
           "release_after_runs"]
