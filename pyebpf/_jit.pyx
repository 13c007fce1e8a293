# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False, overflowcheck=False
"""The x86-64 JIT: pre-decoded, checked programs translated to native code.

:func:`select_runtime` is pyebpf's ``bpf_prog_select_runtime``: every
:class:`pyebpf._core.Executable` asks it, once built, whether to run natively.
The translation is driven by :data:`pyebpf.isa.SPECS`: each row's semantic
fields (form, op, width) pick its emitter entry (:data:`KIND_OF`), so no
opcode is listed here.  The semantics are the interpreter's
(``pyebpf/_codegen.py``), including what the verifier would refuse, so
unverified programs behave the same on both engines:

* registers: r0-r10 live in rax, rdi, rsi, rdx, rcx, r8, rbx, r13, r14, r15,
  rbp; r12 points into the ``VMState`` (biased, see ``BIAS``); r9 counts the
  instruction budget; r10 and r11 are scratch.  Everything is stored back into
  ``vm.regs`` before any C call and on the way out.
* memory: every load, store and atomic checks its address against the last
  region ``vm_access`` accepted (``jit_read_*``, ``jit_write_*``: one subtract
  and one compare); anything else goes to an out-of-line path that asks
  ``vm_access`` itself, and a refusal is the interpreter's fault (kind,
  address, size, pc).  Only ``[r10 + off]`` accesses inside the current
  512-byte frame skip the check, and only in programs that can never change r10.
  Atomics are real (lock-prefixed) when aligned and the interpreter's plain
  read-modify-write when not, as in ``_atomic.h``.
* budget: charged per straight-line run and tested on every taken jump and
  bpf-to-bpf call, exactly where the interpreter tests it, with its count.
* calls: bpf-to-bpf calls keep the interpreter's ``vm.frames`` (saved
  registers, may_goto budget, stack region) and use native call/ret; helpers
  go through ``vm_call_helper`` (C helpers, or Python helpers with the GIL
  taken); a tail call hands the run over to the interpreter, frames and all.

The code is written into an anonymous mapping while it is writable, then made
read+execute (never both) and unmapped with its :class:`JitImage`.
"""

import os
import platform

from libc.stdint cimport INT32_MAX, INT32_MIN, UINT32_MAX, int16_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
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
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

from pyebpf._core cimport (
    FAULT_BUDGET,
    FAULT_DEPTH,
    FAULT_READ,
    FAULT_WRITE,
    HELPER_EXIT,
    HELPER_OK,
    HELPER_TAIL_CALL,
    MAX_FRAMES,
    MAX_HELPERS,
    MAX_LOOPS,
    REGION_READ,
    REGION_RW,
    REGION_WRITE,
    STACK_SIZE,
    Executable,
    Frame,
    Insn,
    VMState,
    vm_access,
    vm_call_helper,
    vm_fault,
)

from pyebpf.errors import BPFError
from pyebpf.isa import HANDLER_ID, SPECS, Form

cdef extern from "<sys/mman.h>" nogil:
    void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset)
    int mprotect(void *addr, size_t length, int prot)
    int munmap(void *addr, size_t length)
    int PROT_READ, PROT_WRITE, PROT_EXEC, MAP_PRIVATE, MAP_ANONYMOUS
    void *MAP_FAILED



class JitError(BPFError):
    """The JIT could not translate a program (the interpreter runs it instead)."""


# --- the emitter table, derived from pyebpf.isa -------------------------------------

cdef enum:
    K_NONE, K_ALU, K_NEG, K_END, K_MOVSX, K_JCOND, K_JA, K_MAY_GOTO, K_LDX, K_ST, K_STX,
    K_ATOMIC, K_LDDW, K_LDABS, K_LDIND, K_CALL, K_CALLX, K_EXIT

cdef enum:
    A_ADD, A_SUB, A_MUL, A_DIV, A_SDIV, A_OR, A_AND, A_LSH, A_RSH, A_MOD, A_SMOD, A_XOR, A_MOV,
    A_ARSH

cdef enum:
    T_ADD, T_OR, T_AND, T_XOR, T_FETCH_ADD, T_FETCH_OR, T_FETCH_AND, T_FETCH_XOR, T_XCHG,
    T_CMPXCHG

_ALU_OPS = {"add": A_ADD, "sub": A_SUB, "mul": A_MUL, "div": A_DIV, "sdiv": A_SDIV,
            "or": A_OR, "and": A_AND, "lsh": A_LSH, "rsh": A_RSH, "mod": A_MOD,
            "smod": A_SMOD, "xor": A_XOR, "mov": A_MOV, "arsh": A_ARSH}
_ATOMIC_OPS = {"add": T_ADD, "or": T_OR, "and": T_AND, "xor": T_XOR,
               "fetch_add": T_FETCH_ADD, "fetch_or": T_FETCH_OR, "fetch_and": T_FETCH_AND,
               "fetch_xor": T_FETCH_XOR, "xchg": T_XCHG, "cmpxchg": T_CMPXCHG}
# x86 condition codes (the low nibble of Jcc) for the eBPF comparisons; jset is test + jne
_CONDS = {"jeq": 0x4, "jne": 0x5, "jgt": 0x7, "jge": 0x3, "jlt": 0x2, "jle": 0x6,
          "jsgt": 0xF, "jsge": 0xD, "jslt": 0xC, "jsle": 0xE, "jset": 0x5}
_FORM_KIND = {Form.NEG: K_NEG, Form.END: K_END, Form.MOVSX: K_MOVSX, Form.JCOND_REG: K_JCOND,
              Form.JCOND_IMM: K_JCOND, Form.JA: K_JA, Form.JA32: K_JA, Form.LDX: K_LDX,
              Form.ST: K_ST, Form.STX: K_STX, Form.ATOMIC: K_ATOMIC, Form.LDDW: K_LDDW,
              Form.LDABS: K_LDABS, Form.LDIND: K_LDIND, Form.CALL: K_CALL,
              Form.CALLX: K_CALLX, Form.EXIT: K_EXIT, Form.ALU_REG: K_ALU,
              Form.ALU_IMM: K_ALU}


cdef struct Entry:
    uint8_t kind
    uint8_t op          # AluOp, AtomicOp, x86 condition code, END flavour (0 le, 1 be/bswap)
    uint8_t width       # ALU/JMP: 32 or 64; END: bits; memory: bytes; MOVSX: source bits
    uint8_t reg         # the operand is a register (X form)
    uint8_t signed_load # LDX_MEMSX
    uint8_t wide        # ALU/JMP: 64-bit
    uint8_t test        # jset: test instead of cmp


cdef Entry TABLE[256]


def _entry_for(spec) -> tuple:
    """The emitter entry of one isa row: (kind, op, width, reg, signed_load, wide, test).

    A row this JIT does not know (added to isa.py later) gets K_NONE: programs using it
    are interpreted, and test_jit's table test fails until it gets an entry.
    """
    try:
        return _entry_of(spec)
    except KeyError:
        return K_NONE, 0, 0, 0, 0, 0, 0


def _entry_of(spec) -> tuple:
    kind = _FORM_KIND[spec.form]
    if spec.op == "may_goto":
        kind = K_MAY_GOTO
    op = 0
    width = spec.width
    if kind == K_ALU:
        op = _ALU_OPS[spec.op]
    elif kind == K_JCOND:
        op = _CONDS[spec.op]
    elif kind == K_ATOMIC:
        op = _ATOMIC_OPS[spec.op[len("atomic_"):]]
    elif kind == K_END:
        op = 0 if spec.op == "le" else 1
    elif kind == K_MOVSX:
        width = spec.variant[1]
    reg = spec.source == 0x08 and spec.form in (Form.ALU_REG, Form.JCOND_REG)
    wide = spec.cls == 7 if kind == K_MOVSX else spec.width == 64    # MOVSX: ALU64 class
    return kind, op, width, int(reg), int(spec.op == "ldxs"), int(wide), int(spec.op == "jset")


KIND_OF = {spec.ident: _entry_for(spec) for spec in SPECS}
"""Each isa row's emitter entry, keyed by its ident (every row has one)."""

for _ident, _e in KIND_OF.items():
    _h = HANDLER_ID[_ident]
    TABLE[_h].kind, TABLE[_h].op, TABLE[_h].width = _e[0], _e[1], _e[2]
    TABLE[_h].reg, TABLE[_h].signed_load, TABLE[_h].wide = _e[3], _e[4], _e[5]
    TABLE[_h].test = _e[6]


# --- x86-64 encoding ------------------------------------------------------------------

cdef enum:
    RAX = 0
    RCX = 1
    RDX = 2
    RBX = 3
    RSP = 4
    RBP = 5
    RSI = 6
    RDI = 7
    R8 = 8
    R9 = 9
    R10 = 10
    R11 = 11
    R12 = 12
    R13 = 13
    R14 = 14
    R15 = 15
    VMR = 12        # the VMState
    BUD = 9         # the budget
    AX = 10         # scratch: addresses
    T = 11          # scratch

# eBPF register -> x86 register
cdef int X[11]
X[:] = [RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP]

cdef struct Buf:
    uint8_t *p
    size_t n
    size_t cap
    int failed

cdef struct Fixup:
    size_t at       # position of a rel32
    int32_t label

cdef struct Stub:
    int32_t kind
    int32_t label
    int32_t ret
    uint64_t info
    int32_t base        # S_CHECK: the access is [base + disp]
    int32_t disp

cdef enum:
    S_CHECK, S_BUDGET, S_DEPTH, S_ATOMIC, S_BUDGET_COND

cdef struct Asm:
    Buf code
    int32_t *labels         # native offset of each label (-1: unbound)
    int32_t nlabels
    int32_t caplabels
    Fixup *fix
    int32_t nfix
    int32_t capfix
    Stub *stubs
    int32_t nstubs
    int32_t capstubs


cdef inline void grow(Buf *b, size_t extra) noexcept nogil:
    cdef size_t cap
    cdef uint8_t *q
    if b.n + extra <= b.cap:
        return
    cap = b.cap * 2 if b.cap else 4096
    while cap < b.n + extra:
        cap *= 2
    q = <uint8_t *>realloc(b.p, cap)
    if q == NULL:
        b.failed = 1
        b.n = 0
        return
    b.p = q
    b.cap = cap


cdef inline void e8(Asm *a, uint32_t v) noexcept nogil:
    grow(&a.code, 1)
    if a.code.failed:
        return
    a.code.p[a.code.n] = <uint8_t>v
    a.code.n += 1


cdef inline void e32(Asm *a, uint32_t v) noexcept nogil:
    grow(&a.code, 4)
    if a.code.failed:
        return
    memcpy(a.code.p + a.code.n, &v, 4)
    a.code.n += 4


cdef inline void e64(Asm *a, uint64_t v) noexcept nogil:
    grow(&a.code, 8)
    if a.code.failed:
        return
    memcpy(a.code.p + a.code.n, &v, 8)
    a.code.n += 8


cdef inline void opc(Asm *a, int op) noexcept nogil:
    if op > 0xFF:
        e8(a, op >> 8)
    e8(a, op & 0xFF)


cdef inline void rex(Asm *a, int w, int reg, int base, int force) noexcept nogil:
    cdef int r = 0x40 | (w << 3) | ((reg >> 3) << 2) | (base >> 3)
    if r != 0x40 or force:
        e8(a, r)


cdef void rr(Asm *a, int pfx, int w, int op, int reg, int rm, int byteregs) noexcept nogil:
    """op reg, rm (register direct); ``byteregs``: operands are 8-bit registers."""
    if pfx:
        e8(a, pfx)
    rex(a, w, reg, rm, byteregs and ((4 <= reg <= 7) or (4 <= rm <= 7)))
    opc(a, op)
    e8(a, 0xC0 | ((reg & 7) << 3) | (rm & 7))


cdef void rm(Asm *a, int pfx, int w, int op, int reg, int base, int32_t disp,
             int byteregs) noexcept nogil:
    """op reg, [base + disp]."""
    cdef int mod
    if pfx:
        e8(a, pfx)
    rex(a, w, reg, base, byteregs and 4 <= reg <= 7)
    opc(a, op)
    if disp == 0 and (base & 7) != 5:
        mod = 0
    elif -128 <= disp <= 127:
        mod = 1
    else:
        mod = 2
    e8(a, (mod << 6) | ((reg & 7) << 3) | (base & 7))
    if (base & 7) == 4:
        e8(a, 0x24)
    if mod == 1:
        e8(a, <uint8_t>disp)
    elif mod == 2:
        e32(a, <uint32_t>disp)


cdef inline void mov_rr(Asm *a, int w, int dst, int src) noexcept nogil:
    rr(a, 0, w, 0x89, src, dst, 0)


cdef inline void alu_rr(Asm *a, int w, int op, int dst, int src) noexcept nogil:
    rr(a, 0, w, op, src, dst, 0)


cdef void alu_ri(Asm *a, int w, int digit, int dst, int32_t imm) noexcept nogil:
    if -128 <= imm <= 127:
        rr(a, 0, w, 0x83, digit, dst, 0)
        e8(a, <uint8_t>imm)
    else:
        rr(a, 0, w, 0x81, digit, dst, 0)
        e32(a, <uint32_t>imm)


cdef void mov_ri(Asm *a, int dst, uint64_t v) noexcept nogil:
    """dst = v (64 bits), in the shortest encoding."""
    if v <= UINT32_MAX:
        rex(a, 0, 0, dst, 0)
        e8(a, 0xB8 + (dst & 7))
        e32(a, <uint32_t>v)
    elif INT32_MIN <= <int64_t>v <= INT32_MAX:
        rr(a, 0, 1, 0xC7, 0, dst, 0)
        e32(a, <uint32_t>v)
    else:
        rex(a, 1, 0, dst, 0)
        e8(a, 0xB8 + (dst & 7))
        e64(a, v)


cdef inline void ld(Asm *a, int w, int dst, int base, int32_t disp) noexcept nogil:
    rm(a, 0, w, 0x8B, dst, base, disp, 0)


cdef inline void st(Asm *a, int w, int base, int32_t disp, int src) noexcept nogil:
    rm(a, 0, w, 0x89, src, base, disp, 0)


cdef int32_t new_label(Asm *a) noexcept nogil:
    cdef int32_t *q
    if a.nlabels == a.caplabels:
        a.caplabels = a.caplabels * 2 if a.caplabels else 256
        q = <int32_t *>realloc(a.labels, a.caplabels * sizeof(int32_t))
        if q == NULL:
            a.code.failed = 1
            return 0
        a.labels = q
    a.labels[a.nlabels] = -1
    a.nlabels += 1
    return a.nlabels - 1


cdef inline void bind(Asm *a, int32_t label) noexcept nogil:
    a.labels[label] = <int32_t>a.code.n


cdef void rel32(Asm *a, int32_t label) noexcept nogil:
    cdef Fixup *q
    if a.nfix == a.capfix:
        a.capfix = a.capfix * 2 if a.capfix else 256
        q = <Fixup *>realloc(a.fix, a.capfix * sizeof(Fixup))
        if q == NULL:
            a.code.failed = 1
            return
        a.fix = q
    a.fix[a.nfix].at = a.code.n
    a.fix[a.nfix].label = label
    a.nfix += 1
    e32(a, 0)


cdef inline int short_back(Asm *a, int32_t label) noexcept nogil:
    """The rel8 of a 2-byte jump to an already bound label (a loop head), or 128."""
    cdef int64_t d
    if a.labels[label] < 0:
        return 128
    d = <int64_t>a.labels[label] - <int64_t>(a.code.n + 2)
    return <int>d if d >= -128 else 128


cdef inline void jmp(Asm *a, int32_t label) noexcept nogil:
    cdef int d = short_back(a, label)
    if d != 128:
        e8(a, 0xEB)
        e8(a, <uint8_t>d)
        return
    e8(a, 0xE9)
    rel32(a, label)


cdef inline void jcc(Asm *a, int cc, int32_t label) noexcept nogil:
    cdef int d = short_back(a, label)
    if d != 128:
        e8(a, 0x70 | cc)
        e8(a, <uint8_t>d)
        return
    e8(a, 0x0F)
    e8(a, 0x80 | cc)
    rel32(a, label)


cdef inline void call(Asm *a, int32_t label) noexcept nogil:
    e8(a, 0xE8)
    rel32(a, label)


cdef inline size_t jcc8(Asm *a, int cc) noexcept nogil:
    """A short forward jump; :c:func:`here8` lands it."""
    e8(a, 0x70 | cc)
    e8(a, 0)
    return a.code.n


cdef inline size_t jmp8(Asm *a) noexcept nogil:
    e8(a, 0xEB)
    e8(a, 0)
    return a.code.n


cdef inline void here8(Asm *a, size_t at) noexcept nogil:
    if not a.code.failed:
        a.code.p[at - 1] = <uint8_t>(a.code.n - at)


cdef int32_t stub(Asm *a, int kind, int32_t ret, uint64_t info) noexcept nogil:
    cdef Stub *q
    if a.nstubs == a.capstubs:
        a.capstubs = a.capstubs * 2 if a.capstubs else 64
        q = <Stub *>realloc(a.stubs, a.capstubs * sizeof(Stub))
        if q == NULL:
            a.code.failed = 1
            return 0
        a.stubs = q
    cdef int32_t label = new_label(a)
    a.stubs[a.nstubs].kind = kind
    a.stubs[a.nstubs].label = label
    a.stubs[a.nstubs].ret = ret
    a.stubs[a.nstubs].info = info
    a.nstubs += 1
    return label


# --- VMState layout ---------------------------------------------------------------------

cdef VMState _probe
cdef Frame _fprobe
# r12 points BIAS bytes into the VMState, at the JIT's hot-region fields, so that the
# checks on every load and store address them with 1-byte displacements (a loop of 32
# bytes fits one fetch block more often); the O_* offsets below are relative to r12.
cdef int32_t BIAS = (<char *>&_probe.jit_read_start - <char *>&_probe) + 16
cdef int32_t O_REGS = <char *>&_probe.regs[0] - <char *>&_probe - BIAS
cdef int32_t O_BUDGET = <char *>&_probe.budget - <char *>&_probe - BIAS
cdef int32_t O_DEPTH = <char *>&_probe.depth - <char *>&_probe - BIAS
cdef int32_t O_MAY_GOTO = <char *>&_probe.may_goto - <char *>&_probe - BIAS
cdef int32_t O_FAULT_KIND = <char *>&_probe.fault_kind - <char *>&_probe - BIAS
cdef int32_t O_FAULT_PC = <char *>&_probe.fault_pc - <char *>&_probe - BIAS
cdef int32_t O_STACK = <char *>&_probe.stack - <char *>&_probe - BIAS
cdef int32_t O_REGION0 = <char *>&_probe.regions[0].start - <char *>&_probe - BIAS
cdef int32_t O_HOT_RSPAN = <char *>&_probe.hot_read_span - <char *>&_probe - BIAS
cdef int32_t O_HOT_WSPAN = <char *>&_probe.hot_write_span - <char *>&_probe - BIAS
cdef int32_t O_JIT_RSP = <char *>&_probe.jit_rsp - <char *>&_probe - BIAS
cdef int32_t O_RSTART = <char *>&_probe.jit_read_start - <char *>&_probe - BIAS
cdef int32_t O_RLIM = <char *>&_probe.jit_read_lim - <char *>&_probe - BIAS
cdef int32_t O_WSTART = <char *>&_probe.jit_write_start - <char *>&_probe - BIAS
cdef int32_t O_WLIM = <char *>&_probe.jit_write_lim - <char *>&_probe - BIAS
cdef int32_t O_FRAMES = <char *>&_probe.frames[0] - <char *>&_probe - BIAS
cdef int32_t FRAME_SIZE = sizeof(Frame)
cdef int32_t F_SAVED = <char *>&_fprobe.saved[0] - <char *>&_fprobe
cdef int32_t F_INSNS = <char *>&_fprobe.insns - <char *>&_fprobe
cdef int32_t F_NINSNS = <char *>&_fprobe.ninsns - <char *>&_fprobe
cdef int32_t F_RET_PC = <char *>&_fprobe.ret_pc - <char *>&_fprobe
cdef int32_t F_MAY_GOTO = <char *>&_fprobe.may_goto - <char *>&_fprobe
cdef int CALLEE_SAVED[5]
CALLEE_SAVED[:] = [RBX, R13, R14, R15, RBP]   # r6..r10, as Frame.saved keeps them
cdef int PUSHED[6]
PUSHED[:] = [RBX, RBP, R12, R13, R14, R15]    # what the prologue saves for the C caller
cdef int ALU_RR[14]                           # op r/m, reg (by AluOp)
cdef int ALU_DIGIT[14]                        # the /digit of op r/m, imm
ALU_RR[A_ADD], ALU_RR[A_SUB], ALU_RR[A_AND], ALU_RR[A_OR], ALU_RR[A_XOR] = 0x01, 0x29, 0x21, 0x09, 0x31
ALU_DIGIT[A_ADD], ALU_DIGIT[A_SUB], ALU_DIGIT[A_AND], ALU_DIGIT[A_OR], ALU_DIGIT[A_XOR] = 0, 5, 4, 1, 6
cdef int ATOMIC_RR[4]                         # lock op [r10], reg (by AtomicOp)
ATOMIC_RR[:] = [0x01, 0x09, 0x21, 0x31]


# --- the C side of the slow paths ------------------------------------------------------
# Called from the thunks with every eBPF register in vm.regs; they return 0 to go on,
# 1 for a tail call, 2 to end the program (r0 as left in vm.regs), -1 for a fault.

cdef int jit_check(VMState *vm, uint64_t addr, uint64_t info) noexcept nogil:
    """A load/store/atomic the inline check did not accept: vm_access decides."""
    cdef uint64_t size = info & 0xF
    cdef uint32_t need = (info >> 4) & 3
    if vm_access(vm, addr, size, need) != NULL:
        return 0
    vm.fault_pc = <int32_t>(info >> 8)
    vm_fault(vm, FAULT_READ if need == REGION_READ else FAULT_WRITE, addr, size)
    return -1


cdef int jit_helper(VMState *vm, uint64_t hid, uint64_t pc) noexcept nogil:
    cdef int st = vm_call_helper(vm, hid)
    if st == HELPER_OK:
        return 0
    if st == HELPER_TAIL_CALL:
        return 1
    if st == HELPER_EXIT:
        vm.depth = 0
        return 2
    vm.fault_pc = <int32_t>pc
    return -1


cdef int jit_ldabs(VMState *vm, uint64_t ofs32, uint64_t size) noexcept nogil:
    """LD_ABS/LD_IND: a big-endian packet read; out of bounds ends the program with 0."""
    cdef int64_t ofs = <int32_t><uint32_t>ofs32
    cdef const uint8_t *p
    if ofs < 0 or <uint64_t>ofs + size > vm.packet_len:
        vm.regs[0] = 0
        vm.depth = 0
        return 2
    p = vm.packet + ofs
    if size == 1:
        vm.regs[0] = p[0]
    elif size == 2:
        vm.regs[0] = (<uint64_t>p[0] << 8) | p[1]
    else:
        vm.regs[0] = ((<uint64_t>p[0] << 24) | (<uint64_t>p[1] << 16) | (<uint64_t>p[2] << 8)
                      | p[3])
    return 0


cdef int jit_atomic(VMState *vm, uint64_t addr, uint64_t info) noexcept nogil:
    """The atomics not inlined (fetch and/or/xor, and any misaligned one)."""
    cdef int op = info & 0xF
    cdef int wide = (info >> 4) & 1
    cdef int src = (info >> 8) & 0xF
    cdef uint8_t *p = <uint8_t *>addr
    cdef uint64_t *r = vm.regs
    cdef uint64_t v = r[src]
    if wide:
        if op == T_ADD or op == T_FETCH_ADD:
            v = atomic_fetch_add64(p, v)
        elif op == T_OR or op == T_FETCH_OR:
            v = atomic_fetch_or64(p, v)
        elif op == T_AND or op == T_FETCH_AND:
            v = atomic_fetch_and64(p, v)
        elif op == T_XOR or op == T_FETCH_XOR:
            v = atomic_fetch_xor64(p, v)
        elif op == T_XCHG:
            v = atomic_xchg64(p, v)
        else:
            r[0] = atomic_cmpxchg64(p, r[0], v)
            return 0
    else:
        if op == T_ADD or op == T_FETCH_ADD:
            v = atomic_fetch_add32(p, <uint32_t>v)
        elif op == T_OR or op == T_FETCH_OR:
            v = atomic_fetch_or32(p, <uint32_t>v)
        elif op == T_AND or op == T_FETCH_AND:
            v = atomic_fetch_and32(p, <uint32_t>v)
        elif op == T_XOR or op == T_FETCH_XOR:
            v = atomic_fetch_xor32(p, <uint32_t>v)
        elif op == T_XCHG:
            v = atomic_xchg32(p, <uint32_t>v)
        else:
            r[0] = atomic_cmpxchg32(p, <uint32_t>r[0], <uint32_t>v)
            return 0
    if op >= T_FETCH_ADD:
        r[src] = v
    return 0


# --- code generation -----------------------------------------------------------------------

cdef enum:
    # labels of the shared tails, allocated first
    L_EPI = 0       # r11d = return code
    L_OK = 1
    L_DEOPT = 2
    L_FAULT = 3
    L_BUDGET = 4    # r11d = pc
    L_DEPTH = 5     # r11d = pc
    L_POP_RET = 6
    L_STATUS = 7    # r11d = a slow path's status
    L_TH_CHECK = 8
    L_TH_HELPER = 9
    L_TH_LDABS = 10
    L_TH_ATOMIC = 11
    N_FIXED = 12


cdef void spill(Asm *a) noexcept nogil:
    cdef int i
    for i in range(11):
        st(a, 1, VMR, O_REGS + 8 * i, X[i])
    st(a, 1, VMR, O_BUDGET, BUD)


cdef void reload(Asm *a, int upto) noexcept nogil:
    cdef int i
    for i in range(upto):
        ld(a, 1, X[i], VMR, O_REGS + 8 * i)
    ld(a, 1, BUD, VMR, O_BUDGET)


cdef void forget_hot(Asm *a) noexcept nogil:
    alu_rr(a, 0, 0x31, AX, AX)
    st(a, 1, VMR, O_RLIM, AX)
    st(a, 1, VMR, O_WLIM, AX)
    st(a, 1, VMR, O_HOT_RSPAN, AX)
    st(a, 1, VMR, O_HOT_WSPAN, AX)


cdef void set_stack_region(Asm *a) noexcept nogil:
    """regions[0].start = stack + (MAX_FRAMES - 1 - depth) * STACK_SIZE."""
    mov_ri(a, AX, MAX_FRAMES - 1)
    rm(a, 0, 0, 0x2B, AX, VMR, O_DEPTH, 0)          # sub r10d, [depth]
    rr(a, 0, 1, 0x63, AX, AX, 0)                    # movsxd r10, r10d
    rr(a, 0, 1, 0xC1, 4, AX, 0)                     # shl r10, 9
    e8(a, 9)
    rm(a, 0, 1, 0x03, AX, VMR, O_STACK, 0)          # add r10, [stack]
    st(a, 1, VMR, O_REGION0, AX)


cdef void frame_addr(Asm *a) noexcept nogil:
    """r11 = vm + depth * sizeof(Frame) (add O_FRAMES to address the frame)."""
    ld(a, 0, T, VMR, O_DEPTH)
    rr(a, 0, 1, 0x69, T, T, 0)
    e32(a, FRAME_SIZE)
    alu_rr(a, 1, 0x01, T, VMR)


cdef void emit_thunk(Asm *a, int32_t label, void *fn, int upto) noexcept nogil:
    """Call fn(vm, r10, r11) with the registers in vm.regs; non-zero status -> L_STATUS.

    r10 (an access's address) is kept for the code the thunk returns to.
    """
    bind(a, label)
    e8(a, 0x41)
    e8(a, 0x52)                                     # push r10
    spill(a)
    rm(a, 0, 1, 0x8D, RDI, VMR, -BIAS, 0)          # lea rdi, [r12 - BIAS]: the VMState
    mov_rr(a, 1, RSI, AX)
    mov_rr(a, 1, RDX, T)
    mov_rr(a, 1, RBX, RSP)
    alu_ri(a, 1, 4, RSP, -16)                       # and rsp, -16
    mov_ri(a, RAX, <uint64_t>fn)
    rr(a, 0, 0, 0xFF, 2, RAX, 0)                    # call rax
    mov_rr(a, 1, RSP, RBX)
    mov_rr(a, 0, T, RAX)
    reload(a, upto)
    e8(a, 0x41)
    e8(a, 0x5A)                                     # pop r10
    alu_rr(a, 0, 0x85, T, T)
    jcc(a, 0x5, L_STATUS)
    e8(a, 0xC3)


cdef void emit_tails(Asm *a) noexcept nogil:
    cdef int i, j
    bind(a, L_OK)
    alu_rr(a, 0, 0x31, T, T)
    jmp(a, L_EPI)
    bind(a, L_DEOPT)
    mov_ri(a, T, 1)
    jmp(a, L_EPI)
    bind(a, L_BUDGET)
    st(a, 0, VMR, O_FAULT_PC, T)
    rm(a, 0, 0, 0xC7, 0, VMR, O_FAULT_KIND, 0)
    e32(a, FAULT_BUDGET)
    jmp(a, L_FAULT)
    bind(a, L_DEPTH)
    st(a, 0, VMR, O_FAULT_PC, T)
    rm(a, 0, 0, 0xC7, 0, VMR, O_FAULT_KIND, 0)
    e32(a, FAULT_DEPTH)
    bind(a, L_FAULT)
    mov_ri(a, T, 0xFFFFFFFF)
    bind(a, L_EPI)
    spill(a)
    mov_rr(a, 0, RAX, T)
    ld(a, 1, RSP, VMR, O_JIT_RSP)
    for j in range(6):
        i = PUSHED[5 - j]
        rex(a, 0, 0, i, 0)
        e8(a, 0x58 + (i & 7))
    e8(a, 0xC3)
    # a slow path's status: 2 ends the program, 1 is a tail call, else a fault
    bind(a, L_STATUS)
    alu_ri(a, 0, 7, T, 2)
    jcc(a, 0x4, L_OK)
    alu_ri(a, 0, 7, T, 1)
    jcc(a, 0x4, L_DEOPT)
    jmp(a, L_FAULT)
    # exit from a subprogram: pop_frame, then return natively
    bind(a, L_POP_RET)
    rm(a, 0, 0, 0xFF, 1, VMR, O_DEPTH, 0)           # dec dword [depth]
    frame_addr(a)
    for i in range(5):
        ld(a, 1, CALLEE_SAVED[i], T, O_FRAMES + F_SAVED + 8 * i)
    ld(a, 0, AX, T, O_FRAMES + F_MAY_GOTO)
    st(a, 0, VMR, O_MAY_GOTO, AX)
    set_stack_region(a)
    forget_hot(a)
    e8(a, 0xC3)
    emit_thunk(a, L_TH_CHECK, <void *>jit_check, 7)
    emit_thunk(a, L_TH_HELPER, <void *>jit_helper, 7)
    emit_thunk(a, L_TH_LDABS, <void *>jit_ldabs, 7)
    emit_thunk(a, L_TH_ATOMIC, <void *>jit_atomic, 11)   # may write any source register


cdef uint8_t *TAILS = NULL     # emit_tails' code, made once: every program gets a copy
cdef size_t TAILS_LEN = 0
cdef int32_t TAIL_OFF[N_FIXED]


cdef void make_tails() except *:
    global TAILS, TAILS_LEN
    cdef Asm a
    cdef int32_t i, rel
    memset_asm(&a)
    for i in range(N_FIXED):
        new_label(&a)
    emit_tails(&a)
    if a.code.failed:
        raise MemoryError()
    for i in range(a.nfix):
        rel = a.labels[a.fix[i].label] - <int32_t>(a.fix[i].at + 4)
        memcpy(a.code.p + a.fix[i].at, &rel, 4)
    for i in range(N_FIXED):
        TAIL_OFF[i] = a.labels[i]
    TAILS = a.code.p
    TAILS_LEN = a.code.n
    free(a.labels)
    free(a.fix)


cdef void emit_stubs(Asm *a, Insn *insns) noexcept nogil:
    cdef int32_t i
    cdef Stub *s
    cdef Entry *e
    for i in range(a.nstubs):
        s = &a.stubs[i]
        bind(a, s.label)
        if s.kind == S_CHECK:
            rm(a, 0, 1, 0x8D, AX, s.base, s.disp, 0)        # lea r10, [base + disp]
        if s.kind == S_BUDGET_COND:
            # the budget ran out before a conditional jump: a fault only if it is taken
            e = &TABLE[insns[s.info].handler]
            emit_cmp(a, e, &insns[s.info])
            jcc(a, e.op ^ 1, N_FIXED + <int32_t>s.info + 1)
            mov_ri(a, T, s.info)
            jmp(a, L_BUDGET)
        elif s.kind == S_CHECK or s.kind == S_ATOMIC:
            mov_ri(a, T, s.info)
            call(a, L_TH_CHECK if s.kind == S_CHECK else L_TH_ATOMIC)
            jmp(a, s.ret)
        else:
            mov_ri(a, T, s.info)
            jmp(a, L_BUDGET if s.kind == S_BUDGET else L_DEPTH)


cdef inline void charge(Asm *a, int32_t n) noexcept nogil:
    if n:
        alu_ri(a, 1, 5, BUD, n)                     # sub r9, n


cdef void take(Asm *a, int32_t pending, int32_t pc, int32_t target) noexcept nogil:
    """A taken jump: charge the run, stop if the budget is spent, go."""
    charge(a, pending)
    if not pending:
        alu_rr(a, 1, 0x85, BUD, BUD)
    jcc(a, 0x8, stub(a, S_BUDGET, 0, pc))           # js
    jmp(a, target)


cdef void check_access(Asm *a, int base, int16_t off, int size, int need, int32_t pc,
                       int r10_fixed) noexcept nogil:
    """Check [base + off] for ``size`` bytes against the hot region; the slow path asks
    vm_access (with the address in r10) and faults as the interpreter does.

    No code for [r10 + off] inside the current frame of a program that cannot change
    r10: that frame is always part of the stack region.
    """
    cdef int32_t ret
    if r10_fixed and base == RBP and off >= -STACK_SIZE and off + size <= 0:
        return
    if off:
        rm(a, 0, 1, 0x8D, T, base, off, 0)          # lea r11, [base + off]
    else:
        mov_rr(a, 1, T, base)
    rm(a, 0, 1, 0x2B, T, VMR, O_RSTART if need == REGION_READ else O_WSTART, 0)
    rm(a, 0, 1, 0x3B, T, VMR, O_RLIM if need == REGION_READ else O_WLIM, 0)
    ret = new_label(a)
    jcc(a, 0x3, stub(a, S_CHECK, ret, size | (need << 4) | (<uint64_t>pc << 8)))  # jae
    a.stubs[a.nstubs - 1].base = base
    a.stubs[a.nstubs - 1].disp = off
    bind(a, ret)


cdef void emit_alu(Asm *a, Entry *e, Insn *ins) noexcept nogil:
    cdef int w = e.wide
    cdef int d = X[ins.dst]
    cdef int s = X[ins.src]
    cdef int op = e.op
    cdef int32_t imm = ins.imm
    cdef int digit, mask
    cdef size_t j1, j2, j3
    if op == A_MOV:
        if e.reg:
            mov_rr(a, w, d, s)
        elif w:
            mov_ri(a, d, <uint64_t><int64_t>imm)
        else:
            mov_ri(a, d, <uint32_t>imm)
        return
    if op == A_ADD or op == A_SUB or op == A_AND or op == A_OR or op == A_XOR:
        if e.reg:
            alu_rr(a, w, ALU_RR[op], d, s)
        else:
            alu_ri(a, w, ALU_DIGIT[op], d, imm)
        return
    if op == A_MUL:
        if e.reg:
            rr(a, 0, w, 0x0FAF, d, s, 0)
        else:
            rr(a, 0, w, 0x69, d, d, 0)
            e32(a, <uint32_t>imm)
        return
    if op == A_LSH or op == A_RSH or op == A_ARSH:
        digit = 4 if op == A_LSH else (5 if op == A_RSH else 7)
        mask = 63 if w else 31
        if not e.reg:
            if imm & mask:
                rr(a, 0, w, 0xC1, digit, d, 0)
                e8(a, imm & mask)
            elif not w:
                mov_rr(a, 0, d, d)
            return
        if s == RCX:
            rr(a, 0, w, 0xD3, digit, d, 0)
        elif d == RCX:
            mov_rr(a, 1, T, RCX)
            mov_rr(a, 1, RCX, s)
            rr(a, 0, w, 0xD3, digit, T, 0)
            mov_rr(a, 1, RCX, T)
        else:
            mov_rr(a, 1, T, RCX)
            mov_rr(a, 1, RCX, s)
            rr(a, 0, w, 0xD3, digit, d, 0)
            mov_rr(a, 1, RCX, T)
        if not w:
            mov_rr(a, 0, d, d)      # a 32-bit shift by 0 need not clear the upper half
        return
    # div, mod, sdiv, smod: the divisor goes to r11 first (it may be rax or rdx)
    if e.reg:
        mov_rr(a, w, T, s)
    elif w:
        mov_ri(a, T, <uint64_t><int64_t>imm)
    else:
        mov_ri(a, T, <uint32_t>imm)
    alu_rr(a, w, 0x85, T, T)
    j1 = jcc8(a, 0x5)                               # jnz: divisor != 0
    if op == A_DIV or op == A_SDIV:
        alu_rr(a, 0, 0x31, d, d)                    # x / 0 = 0
    elif not w:
        mov_rr(a, 0, d, d)                          # x % 0 = x (its low half in 32-bit)
    j2 = jmp8(a)
    here8(a, j1)
    j3 = 0
    if op == A_SDIV or op == A_SMOD:
        alu_ri(a, w, 7, T, -1)
        j1 = jcc8(a, 0x5)                           # jne: divisor != -1
        if op == A_SDIV:
            rr(a, 0, w, 0xF7, 3, d, 0)              # x / -1 = -x (INT_MIN stays)
        else:
            alu_rr(a, 0, 0x31, d, d)                # x % -1 = 0
        j3 = jmp8(a)
        here8(a, j1)
    e8(a, 0x50)                                     # push rax
    e8(a, 0x52)                                     # push rdx
    if d != RAX:
        mov_rr(a, w, RAX, d)
    if op == A_DIV or op == A_MOD:
        alu_rr(a, 0, 0x31, RDX, RDX)
        rr(a, 0, w, 0xF7, 6, T, 0)                  # div r11
    else:
        if w:
            e8(a, 0x48)
        e8(a, 0x99)                                 # cqo / cdq
        rr(a, 0, w, 0xF7, 7, T, 0)                  # idiv r11
    mov_rr(a, 1, AX, RAX if op == A_DIV or op == A_SDIV else RDX)
    e8(a, 0x5A)                                     # pop rdx
    e8(a, 0x58)                                     # pop rax
    mov_rr(a, w, d, AX)
    here8(a, j2)
    if j3:
        here8(a, j3)


cdef void emit_mem(Asm *a, Entry *e, Insn *ins, int32_t pc, int r10_fixed) noexcept nogil:
    cdef int n = e.width
    cdef int d = X[ins.dst]
    cdef int s = X[ins.src]
    cdef int base
    cdef int32_t disp = ins.off
    if e.kind == K_LDX:
        base = s
        check_access(a, s, ins.off, n, REGION_READ, pc, r10_fixed)
        if e.signed_load:
            rm(a, 0, 1, 0x0FBE if n == 1 else (0x0FBF if n == 2 else 0x63), d, base, disp, 0)
        elif n == 1:
            rm(a, 0, 0, 0x0FB6, d, base, disp, 0)
        elif n == 2:
            rm(a, 0, 0, 0x0FB7, d, base, disp, 0)
        else:
            ld(a, n == 8, d, base, disp)
        return
    base = d
    check_access(a, d, ins.off, n, REGION_WRITE, pc, r10_fixed)
    if e.kind == K_ST:
        if n == 1:
            rm(a, 0, 0, 0xC6, 0, base, disp, 0)
            e8(a, <uint8_t>ins.imm)
        elif n == 2:
            rm(a, 0x66, 0, 0xC7, 0, base, disp, 0)
            e8(a, ins.imm & 0xFF)
            e8(a, (ins.imm >> 8) & 0xFF)
        else:
            rm(a, 0, n == 8, 0xC7, 0, base, disp, 0)
            e32(a, <uint32_t>ins.imm)
    elif n == 1:
        rm(a, 0, 0, 0x88, s, base, disp, 1)
    elif n == 2:
        rm(a, 0x66, 0, 0x89, s, base, disp, 0)
    else:
        st(a, n == 8, base, disp, s)


cdef void emit_atomic(Asm *a, Entry *e, Insn *ins, int32_t pc, int r10_fixed) noexcept nogil:
    cdef int n = e.width
    cdef int w = n == 8
    cdef int s = X[ins.src]
    cdef int op = e.op
    cdef int32_t done
    cdef uint64_t info = op | (w << 4) | (ins.src << 8)
    rm(a, 0, 1, 0x8D, AX, X[ins.dst], ins.off, 0)   # lea r10, [dst + off]
    check_access(a, AX, 0, n, REGION_RW, pc, 0)
    done = new_label(a)
    if op == T_FETCH_OR or op == T_FETCH_AND or op == T_FETCH_XOR:
        mov_ri(a, T, info)
        call(a, L_TH_ATOMIC)
        bind(a, done)
        return
    rr(a, 0, 0, 0xF6, 0, AX, 0)                     # test r10b, n - 1
    e8(a, n - 1)
    jcc(a, 0x5, stub(a, S_ATOMIC, done, info))      # misaligned: the C path
    if op in (T_ADD, T_OR, T_AND, T_XOR):
        e8(a, 0xF0)
        rm(a, 0, w, ATOMIC_RR[op], s, AX, 0, 0)
    elif op == T_FETCH_ADD:
        mov_rr(a, 1, T, s)
        e8(a, 0xF0)
        rm(a, 0, w, 0x0FC1, T, AX, 0, 0)            # lock xadd [r10], r11
        mov_rr(a, 1, s, T)
    elif op == T_XCHG:
        rm(a, 0, w, 0x87, s, AX, 0, 0)
    else:
        e8(a, 0xF0)
        rm(a, 0, w, 0x0FB1, s, AX, 0, 0)            # lock cmpxchg [r10], src
        if not w:
            mov_rr(a, 0, RAX, RAX)
    bind(a, done)


cdef void emit_cmp(Asm *a, Entry *e, Insn *ins) noexcept nogil:
    cdef int w = e.wide
    cdef int d = X[ins.dst]
    if e.reg:
        alu_rr(a, w, 0x85 if e.test else 0x39, d, X[ins.src])
    elif e.test:
        rr(a, 0, w, 0xF7, 0, d, 0)
        e32(a, <uint32_t>ins.imm)
    else:
        alu_ri(a, w, 7, d, ins.imm)


cdef void emit_jcond(Asm *a, Entry *e, Insn *ins, int32_t pending, int32_t pc,
                     int32_t target) noexcept nogil:
    """Charge the run on both paths (the count is exact either way), test the budget
    first and the condition second: a spent budget only faults if the jump is taken,
    which the out-of-line stub decides."""
    charge(a, pending)
    jcc(a, 0x8, stub(a, S_BUDGET_COND, 0, pc))      # js
    emit_cmp(a, e, ins)
    jcc(a, e.op, target)


cdef void emit_push_frame(Asm *a, Executable exe, int32_t pc) noexcept:
    cdef int i
    rm(a, 0, 0, 0x83, 7, VMR, O_DEPTH, 0)           # cmp dword [depth], MAX_FRAMES - 1
    e8(a, MAX_FRAMES - 1)
    jcc(a, 0xD, stub(a, S_DEPTH, 0, pc))            # jge
    frame_addr(a)
    for i in range(5):
        st(a, 1, T, O_FRAMES + F_SAVED + 8 * i, CALLEE_SAVED[i])
    mov_ri(a, AX, <uint64_t>exe.insns)
    st(a, 1, T, O_FRAMES + F_INSNS, AX)
    rm(a, 0, 0, 0xC7, 0, T, O_FRAMES + F_NINSNS, 0)
    e32(a, exe.ninsns)
    rm(a, 0, 0, 0xC7, 0, T, O_FRAMES + F_RET_PC, 0)
    e32(a, pc + 1)
    ld(a, 0, AX, VMR, O_MAY_GOTO)
    st(a, 0, T, O_FRAMES + F_MAY_GOTO, AX)
    rm(a, 0, 0, 0xC7, 0, VMR, O_MAY_GOTO, 0)
    e32(a, MAX_LOOPS)
    rm(a, 0, 0, 0xFF, 0, VMR, O_DEPTH, 0)           # inc dword [depth]
    alu_ri(a, 1, 5, RBP, STACK_SIZE)                # r10 -= 512
    set_stack_region(a)


cdef bint writes_r10(Executable exe):
    """Whether an instruction can change r10: only atomics that write their source."""
    cdef int32_t pc
    cdef Entry *e
    for pc in range(exe.ninsns):
        e = &TABLE[exe.insns[pc].handler]
        if e.kind == K_ATOMIC and e.op >= T_FETCH_ADD and exe.insns[pc].src == 10:
            return True
    return False


cdef class JitImage:
    """Native code of one program: mapped read+execute, unmapped with this object."""

    cdef void *mem
    cdef size_t size
    cdef size_t length
    cdef readonly uint64_t entry

    def __cinit__(self):
        self.mem = NULL

    def __dealloc__(self):
        if self.mem != NULL:
            munmap(self.mem, self.size)

    def __len__(self):
        return self.length

    @property
    def code(self) -> bytes:
        """The native bytes (what OBJ_GET_INFO's jited_prog_insns copies out)."""
        return (<char *>self.mem)[:self.length]


cdef JitImage translate(Executable exe):
    cdef Asm a
    cdef int32_t pc, pending, npc, target, i
    cdef Insn *ins
    cdef Entry *e
    cdef uint8_t *is_target
    cdef int r10_fixed = not writes_r10(exe)
    cdef size_t pos
    cdef int32_t rel
    cdef JitImage img
    cdef void *mem
    cdef size_t size
    memset_asm(&a)
    # room for the usual code size up front: growing a big buffer would copy it
    grow(&a.code, <size_t>exe.ninsns * 24 + TAILS_LEN + 256)
    is_target = <uint8_t *>malloc(exe.ninsns + 1)
    if is_target == NULL:
        raise MemoryError()
    try:
        for pc in range(exe.ninsns):
            is_target[pc] = 0
        for pc in range(exe.ninsns):
            if exe.insns[pc].target >= 0 and TABLE[exe.insns[pc].handler].kind != K_NONE:
                target = exe.insns[pc].target // <int32_t>sizeof(Insn)
                is_target[target] = 1
        for i in range(N_FIXED):
            new_label(&a)
        for pc in range(exe.ninsns):              # labels N_FIXED + pc: the instructions
            new_label(&a)
        # prologue: save the callee-saved registers, load the eBPF ones
        for i in range(6):
            rex(&a, 0, 0, PUSHED[i], 0)
            e8(&a, 0x50 + (PUSHED[i] & 7))
        rm(&a, 0, 1, 0x8D, VMR, RDI, BIAS, 0)      # lea r12, [rdi + BIAS]
        st(&a, 1, VMR, O_JIT_RSP, RSP)
        reload(&a, 11)
        pending = 0
        pc = 0
        while pc < exe.ninsns:
            ins = &exe.insns[pc]
            e = &TABLE[ins.handler]
            npc = pc + 1
            if is_target[pc]:
                charge(&a, pending)
                pending = 0
            bind(&a, N_FIXED + pc)
            target = N_FIXED + ins.target // <int32_t>sizeof(Insn) if ins.target >= 0 else 0
            if e.kind == K_NONE:                  # a row without an emitter entry
                raise JitError(22, f"no emitter for handler {ins.handler} at pc {pc}")
            pending += 1
            if (e.kind == K_ALU and e.op == A_MOV and e.reg and e.wide and pc + 1 < exe.ninsns
                    and not is_target[pc + 1] and fuse_mov_add(&a, ins, &exe.insns[pc + 1])):
                npc = pc + 2                      # mov + add: one lea
                pending += 1
            elif e.kind == K_ALU:
                emit_alu(&a, e, ins)
            elif e.kind == K_NEG:
                rr(&a, 0, e.wide, 0xF7, 3, X[ins.dst], 0)
            elif e.kind == K_END:
                emit_end(&a, e, X[ins.dst])
            elif e.kind == K_MOVSX:
                if e.width == 8:
                    rr(&a, 0, e.wide, 0x0FBE, X[ins.dst], X[ins.src], 1)
                elif e.width == 16:
                    rr(&a, 0, e.wide, 0x0FBF, X[ins.dst], X[ins.src], 0)
                else:
                    rr(&a, 0, 1, 0x63, X[ins.dst], X[ins.src], 0)
            elif e.kind == K_JCOND:
                emit_jcond(&a, e, ins, pending, pc, target)
                pending = 0
            elif e.kind == K_JA:
                take(&a, pending, pc, target)
                pending = 0
            elif e.kind == K_MAY_GOTO:
                rm(&a, 0, 0, 0x83, 7, VMR, O_MAY_GOTO, 0)
                e8(&a, 0)
                pos = jcc8(&a, 0x5)
                take(&a, pending, pc, target)
                here8(&a, pos)
                rm(&a, 0, 0, 0xFF, 1, VMR, O_MAY_GOTO, 0)   # dec dword [may_goto]
            elif e.kind == K_LDX or e.kind == K_ST or e.kind == K_STX:
                emit_mem(&a, e, ins, pc, r10_fixed)
            elif e.kind == K_ATOMIC:
                emit_atomic(&a, e, ins, pc, r10_fixed)
            elif e.kind == K_LDDW:
                mov_ri(&a, X[ins.dst], <uint32_t>ins.imm
                       | (<uint64_t><uint32_t>exe.insns[pc + 1].imm << 32))
                npc = pc + 2
                pending += 1
            elif e.kind == K_LDABS or e.kind == K_LDIND:
                if e.kind == K_LDABS:
                    mov_ri(&a, AX, <uint32_t>ins.imm)
                else:
                    mov_rr(&a, 0, AX, X[ins.src])
                    alu_ri(&a, 0, 0, AX, ins.imm)
                mov_ri(&a, T, e.width)
                call(&a, L_TH_LDABS)
            elif e.kind == K_CALL:
                charge(&a, pending)
                pending = 0
                if ins.src == 1:
                    emit_push_frame(&a, exe, pc)
                    alu_rr(&a, 1, 0x85, BUD, BUD)
                    jcc(&a, 0x8, stub(&a, S_BUDGET, 0, pc))     # js: budget spent
                    call(&a, target)
                else:
                    mov_ri(&a, AX, <uint64_t><int64_t>ins.imm)
                    mov_ri(&a, T, pc)
                    call(&a, L_TH_HELPER)
            elif e.kind == K_CALLX:
                charge(&a, pending)
                pending = 0
                mov_rr(&a, 1, AX, X[ins.dst])
                mov_ri(&a, T, pc)
                call(&a, L_TH_HELPER)
            elif e.kind == K_EXIT:
                charge(&a, pending)
                pending = 0
                rm(&a, 0, 0, 0x83, 7, VMR, O_DEPTH, 0)
                e8(&a, 0)
                jcc(&a, 0x4, L_OK)
                jmp(&a, L_POP_RET)
            pc = npc
        # check_program guarantees the last instruction exits or jumps
        emit_stubs(&a, exe.insns)
        # the shared tails: the same bytes for every program (position-independent)
        grow(&a.code, TAILS_LEN)
        if not a.code.failed:
            for i in range(N_FIXED):
                a.labels[i] = <int32_t>a.code.n + TAIL_OFF[i]
            memcpy(a.code.p + a.code.n, TAILS, TAILS_LEN)
            a.code.n += TAILS_LEN
        if a.code.failed:
            raise MemoryError()
        for i in range(a.nfix):
            pos = a.fix[i].at
            rel = a.labels[a.fix[i].label] - <int32_t>(pos + 4)
            memcpy(a.code.p + pos, &rel, 4)
        size = (a.code.n + 4095) & ~<size_t>4095
        mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if mem == MAP_FAILED:
            raise JitError(12, "mmap failed")
        memcpy(mem, a.code.p, a.code.n)
        img = JitImage()
        img.mem = mem
        img.size = size
        if mprotect(mem, size, PROT_READ | PROT_EXEC) != 0:
            raise JitError(12, "mprotect failed")
        img.length = a.code.n
        img.entry = <uint64_t>mem
        return img
    finally:
        free(is_target)
        free(a.code.p)
        free(a.labels)
        free(a.fix)
        free(a.stubs)


cdef void memset_asm(Asm *a) noexcept nogil:
    a.code.p = NULL
    a.code.n = 0
    a.code.cap = 0
    a.code.failed = 0
    a.labels = NULL
    a.nlabels = 0
    a.caplabels = 0
    a.fix = NULL
    a.nfix = 0
    a.capfix = 0
    a.stubs = NULL
    a.nstubs = 0
    a.capstubs = 0


cdef bint fuse_mov_add(Asm *a, Insn *mov, Insn *nxt) noexcept nogil:
    """``r_d = r_s; r_d += r_t`` (or ``+= imm``) as one lea; False when it does not apply."""
    cdef Entry *e = &TABLE[nxt.handler]
    cdef int d = X[mov.dst]
    cdef int base = X[mov.src]
    cdef int index
    if e.kind != K_ALU or e.op != A_ADD or not e.wide or nxt.dst != mov.dst:
        return False
    if not e.reg:
        rm(a, 0, 1, 0x8D, d, base, nxt.imm, 0)      # lea d, [s + imm]
        return True
    index = base if nxt.src == mov.dst else X[nxt.src]
    if index == RSP:
        return False
    e8(a, 0x48 | ((d >> 3) << 2) | ((index >> 3) << 1) | (base >> 3))
    e8(a, 0x8D)
    if (base & 7) == 5:
        e8(a, 0x44 | ((d & 7) << 3))                # mod 01, rm = SIB, disp8 0
        e8(a, ((index & 7) << 3) | (base & 7))
        e8(a, 0)
    else:
        e8(a, 0x04 | ((d & 7) << 3))                # mod 00, rm = SIB
        e8(a, ((index & 7) << 3) | (base & 7))
    return True


cdef void emit_end(Asm *a, Entry *e, int d) noexcept nogil:
    if e.op == 0:                                   # to little endian: truncate
        if e.width == 16:
            rr(a, 0, 0, 0x0FB7, d, d, 0)
        elif e.width == 32:
            mov_rr(a, 0, d, d)
        return
    rex(a, e.width == 64, 0, d, 0)
    e8(a, 0x0F)
    e8(a, 0xC8 + (d & 7))                           # bswap
    if e.width == 16:
        rr(a, 0, 0, 0xC1, 5, d, 0)                  # shr d32, 16
        e8(a, 16)


make_tails()


# --- selection (bpf_prog_select_runtime) ------------------------------------------------

SUPPORTED = platform.machine() in ("x86_64", "AMD64")
"""The JIT emits x86-64 code: elsewhere every program is interpreted."""

_enabled: bool | None = None


def enabled() -> bool:
    """The process-wide switch (bpf_jit_enable): PYEBPF_JIT=0/1, or :func:`set_enabled`."""
    if _enabled is not None:
        return _enabled
    return os.environ.get("PYEBPF_JIT", "1") not in ("0", "", "false", "no", "off")


def set_enabled(value: bool | None) -> None:
    """Turn the JIT on or off for programs built from now on (None: back to PYEBPF_JIT)."""
    global _enabled
    _enabled = value


def select_runtime(Executable exe, jit=None) -> None:
    """JIT ``exe`` when asked (``jit`` True, or None and :func:`enabled`) and possible.

    A program the JIT cannot translate runs on the interpreter; the reason is kept in
    ``exe.jit_error``.
    """
    if jit is None:
        jit = enabled()
    if not jit:
        return
    if not SUPPORTED:
        exe._set_jit_error(f"no JIT for {platform.machine()}")
        return
    try:
        img = translate(exe)
    except Exception as err:  # any failure to translate: the interpreter runs the program
        exe._set_jit_error(f"{type(err).__name__}: {err}")
        return
    exe._set_jit(img, img.entry)


def compile_time_ns(Executable exe, int repeat=1) -> int:
    """CPU nanoseconds one translation of ``exe`` takes, mapping included and unmapping
    not (best of ``repeat``), for benchmarks."""
    import time

    best = -1
    for _ in range(repeat):
        t = time.thread_time_ns()
        img = translate(exe)
        t = time.thread_time_ns() - t
        del img
        best = t if best < 0 else min(best, t)
    return best


__all__ = ["KIND_OF", "SUPPORTED", "JitError", "JitImage", "compile_time_ns", "enabled",
           "select_runtime", "set_enabled"]
