"""A seeded random program generator for differential testing of the verifier.

``generate(seed)`` returns a :class:`GenProgram`: a program for socket filter,
XDP or tc built from random valid blocks (scalar arithmetic, stack spill/fill,
context reads, map lookups with NULL checks, packet accesses behind bounds
checks, bounded loops, ringbuf reserve/submit, bpf-to-bpf calls), and, for most
seeds, ONE deliberate defect of a named kind (``defect``; None for a valid
program).  The same seed always gives the same program.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from pyebpf import uapi
from pyebpf.isa import Instruction
from pyebpf.verifier.env import MapInfo

SOCKET_FILTER = uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER
_ACTS_ON_CALLER = ("send_signal", "send_signal_thread", "sys_close", "sys_bpf")
XDP = uapi.BpfProgType.BPF_PROG_TYPE_XDP
SCHED_CLS = uapi.BpfProgType.BPF_PROG_TYPE_SCHED_CLS
CGROUP_SKB = uapi.BpfProgType.BPF_PROG_TYPE_CGROUP_SKB
EGRESS = uapi.BpfAttachType.BPF_CGROUP_INET_EGRESS
# Seeds from here on also make cgroup skb programs, bpf-to-bpf calls and bpf_loop
# callbacks (with their own defects); the programs of the seeds below are unchanged.
EXTENDED_FROM = 5000
# Seeds from here on add issue 9's forms (see _Gen.v2 blocks): callbacks followed by
# packet and ctx access, narrow ctx loads, helper calls with their argument and return
# forms, atomics on spilled slots, byte swaps, LD_ABS/LD_IND results in use, ALU32
# division and variable shifts, dead code with forbidden instructions; their return
# value is computed (an accumulator on the stack), so that runs can be compared too.
GEN2_FROM = 20000
# the v2 stack layout: ctx spilled at CTX_SLOT, the accumulator at ACC_SLOT, a scratch
# spill at SAVE_SLOT, a 32-byte helper buffer at BUF (initialized), a map key at KEY
CTX_SLOT, ACC_SLOT, SAVE_SLOT, BUF, KEY = -264, -272, -280, -128, -48
EXIT = (0x95, 0, 0, 0, 0)
_LDX = {1: 0x71, 2: 0x69, 4: 0x61, 8: 0x79}
_STX = {1: 0x73, 2: 0x6B, 4: 0x63, 8: 0x7B}
_ST = {1: 0x72, 2: 0x6A, 4: 0x62, 8: 0x7A}
_ALU_IMM = {"add": 0x07, "sub": 0x17, "mul": 0x27, "or": 0x47, "and": 0x57, "lsh": 0x67,
            "rsh": 0x77, "xor": 0xA7, "arsh": 0xC7}
_JCC = {"jeq": 0x15, "jgt": 0x25, "jge": 0x35, "jset": 0x45, "jne": 0x55, "jsgt": 0x65,
        "jsge": 0x75, "jlt": 0xA5, "jle": 0xB5, "jslt": 0xC5, "jsle": 0xD5}

DEFECTS = (
    "uninit_reg", "uninit_r0", "stack_oob", "stack_misaligned", "no_null_check",
    "map_value_oob", "pkt_no_check", "pkt_beyond_range", "ctx_bad_off", "ctx_bad_write",
    "helper_bad_map", "helper_bad_key", "ptr_mul", "ptr_bitwise", "ptr32", "null_ptr_arith",
    "infinite_loop", "leaked_ref", "div_by_zero", "bad_shift", "unknown_opcode",
    "jump_out_of_range", "unreachable", "scalar_deref", "map_var_off_unbounded",
)
# the extended seeds' defects, on top of DEFECTS
CALL_DEFECTS = (
    "callee_uninit_arg", "caller_reads_clobbered", "return_stack_ptr", "call_too_deep",
    "stack_too_large", "callee_uninit_stack", "callee_stack_arg_oob", "recursion",
    "cb_bad_return", "no_func_info", "bad_return",
)
MAPS = {
    0: MapInfo(uapi.BpfMapType.BPF_MAP_TYPE_HASH, 4, 16, 8),
    1: MapInfo(uapi.BpfMapType.BPF_MAP_TYPE_ARRAY, 4, 32, 4),
    2: MapInfo(uapi.BpfMapType.BPF_MAP_TYPE_RINGBUF, 0, 0, 4096),
}


@dataclass
class GenProgram:
    seed: int
    prog_type: int
    insns: list[Instruction]
    defect: str | None
    maps: dict[int, MapInfo] = field(default_factory=dict)
    expected_attach_type: int = 0
    # BTF func_info records (insn_off, type_id) of funcinfo.synthetic_btf: callbacks need it
    func_info: list[tuple[int, int]] | None = None

    @property
    def btf(self) -> bytes | None:
        """The BTF blob ``func_info``'s type ids refer to."""
        if self.func_info is None:
            return None
        from pyebpf.verifier.funcinfo import synthetic_btf

        return synthetic_btf(len(self.func_info))


class _Asm:
    """Tiny assembler with labels, producing Instructions with slot pcs."""

    def __init__(self) -> None:
        self.items: list[tuple] = []
        self.n = 0

    def emit(self, *t: int) -> None:
        self.items.append(("i", *t))

    def map(self, dst: int, idx: int) -> None:
        self.items.append(("m", dst, idx))

    def call(self, label: str) -> None:
        """A bpf-to-bpf call of the subprogram at ``label``."""
        self.items.append(("c", label))

    def func(self, dst: int, label: str) -> None:
        """LD_IMM64 of the callback at ``label`` (BPF_PSEUDO_FUNC)."""
        self.items.append(("f", dst, label))

    def jmp(self, code: int, dst: int, src: int, imm: int, label: str) -> None:
        self.items.append(("j", code, dst, src, imm, label))

    def label(self, name: str) -> None:
        self.items.append(("l", name))

    def new_label(self) -> str:
        self.n += 1
        return f"L{self.n}"

    def build(self) -> list[Instruction]:
        pcs: dict[str, int] = {}
        pc = 0
        for it in self.items:
            if it[0] == "l":
                pcs[it[1]] = pc
            else:
                pc += 2 if it[0] in ("m", "f") else 1
        out: list[Instruction] = []
        pc = 0
        for it in self.items:
            if it[0] == "i":
                out.append(Instruction(it[1], it[2], it[3], it[4], it[5], pc))
                pc += 1
            elif it[0] == "m":
                out.append(Instruction(0x18, it[1], 1, 0, it[2], pc))
                pc += 2
            elif it[0] == "c":
                out.append(Instruction(0x85, 0, 1, 0, pcs[it[1]] - pc - 1, pc))
                pc += 1
            elif it[0] == "f":
                out.append(Instruction(0x18, it[1], 4, 0, pcs[it[2]] - pc - 1, pc))
                pc += 2
            elif it[0] == "j":
                _, code, dst, src, imm, lab = it
                out.append(Instruction(code, dst, src, pcs[lab] - pc - 1, imm, pc))
                pc += 1
        return out


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.a = _Asm()
        self.ext = seed >= EXTENDED_FROM
        self.v2 = seed >= GEN2_FROM
        self.prog_type = self.rng.choice((SOCKET_FILTER, XDP, SCHED_CLS, CGROUP_SKB)
                                         if self.ext else (SOCKET_FILTER, XDP, SCHED_CLS))
        self.attach = 0
        if self.prog_type == CGROUP_SKB and self.rng.random() < 0.5:
            self.attach = int(EGRESS)
        # subprograms and callbacks, emitted after the main program: (label, emitter)
        self.subs: list[tuple[str, object]] = []
        self.has_callback = False
        self.defect: str | None = None
        self.maps: set[int] = set()
        self.used_defect = False

    def want(self, kind: str) -> bool:
        """Whether this block should carry the program's defect."""
        if self.defect == kind and not self.used_defect:
            self.used_defect = True
            return True
        return False

    # --- blocks ----------------------------------------------------------------------
    def scalars(self) -> None:
        r, a = self.rng, self.a
        for reg in (6, 7, 8):
            a.emit(0xB7, reg, 0, 0, r.randint(-100, 1000))
        for _ in range(r.randint(1, 5)):
            op = r.choice(list(_ALU_IMM))
            reg = r.choice((6, 7, 8))
            imm = r.randint(0, 31) if op in ("lsh", "rsh", "arsh") else r.randint(-50, 50)
            code = _ALU_IMM[op] - (0x03 if r.random() < 0.3 else 0)  # ALU32 sometimes
            a.emit(code, reg, 0, 0, imm)
        if self.want("div_by_zero"):
            a.emit(0x37, 6, 0, 0, 0)
        if self.want("bad_shift"):
            a.emit(0x67, 7, 0, 0, r.choice((64, 65, -1)))
        if self.want("uninit_reg"):
            a.emit(0x0F, 6, r.choice((2, 3, 4, 5)), 0, 0)

    def stack(self) -> None:
        r, a = self.rng, self.a
        size = r.choice((1, 2, 4, 8))
        off = -8 * r.randint(1, 8) + (r.randrange(0, 8, size) if size < 8 else 0)
        if self.want("stack_oob"):
            off = r.choice((-520, -512 - size + 8 - 8, 8, 0))
            off = off - off % size if off < 0 else off
        elif self.want("stack_misaligned") and size > 1:
            off = -16 + 1
        a.emit(_STX[size], 10, 6, off, 0)
        a.emit(_LDX[size], 7, 10, off, 0)

    def ctx(self) -> None:
        r, a = self.rng, self.a
        if self.prog_type == XDP:
            off, size = r.choice(((12, 4), (16, 4))), 4
            off = off[0] if isinstance(off, tuple) else off
        else:
            off, size = r.choice(((0, 4), (4, 4), (8, 2), (16, 4), (48, 4), (52, 8), (64, 4)))
        if self.want("ctx_bad_off"):
            off = r.choice((100 if self.prog_type == XDP else 200, 3 * size + 1, -4))
        a.emit(_LDX[size], 8, 1, off, 0)
        if self.want("ctx_bad_write"):
            a.emit(_STX[4], 1, 8, 0 if self.prog_type != XDP else 12, 0)
        elif self.prog_type == CGROUP_SKB and r.random() < 0.5:
            a.emit(_STX[4], 1, 8, r.choice((8, 32, 48, 60)), 0)  # mark, priority, cb[]

    def lookup(self) -> None:
        r, a = self.rng, self.a
        idx = r.choice((0, 1))
        self.maps.add(idx)
        mp = MAPS[idx]
        a.emit(_ST[4], 10, 0, -4, r.randint(0, 3))
        a.emit(0xBF, 2, 10, 0, 0)
        a.emit(0x07, 2, 0, 0, -4)
        if self.want("helper_bad_key"):
            a.emit(0xB7, 2, 0, 0, 0)
        a.map(1, idx)
        if self.want("helper_bad_map"):
            a.emit(0xBF, 1, 10, 0, 0)
        a.emit(0x85, 0, 0, 0, 1)
        skip = a.new_label()
        if not self.want("no_null_check") or idx == 1:
            if self.defect == "no_null_check" and idx == 1:
                self.used_defect = False
            if self.want("null_ptr_arith"):
                a.emit(0x07, 0, 0, 0, 8)
            a.jmp(0x15, 0, 0, 0, skip)
        size = r.choice((1, 2, 4, 8))
        off = r.randrange(0, mp.value_size - size + 1, size)
        if self.want("map_value_oob"):
            off = mp.value_size - size + r.choice((size, 8))
        if r.random() < 0.5 or self.defect == "map_var_off_unbounded":
            # variable offset into the value, bounded by a mask
            a.emit(0x79 if size == 8 else _LDX[size], 3, 0, off, 0)
            if not self.want("map_var_off_unbounded"):
                a.emit(0x57, 3, 0, 0, (mp.value_size // 2 - 1) & ~7)
            a.emit(0xBF, 4, 0, 0, 0)
            a.emit(0x0F, 4, 3, 0, 0)
            a.emit(_LDX[1], 5, 4, 0, 0)
        else:
            a.emit(_LDX[size], 3, 0, off, 0)
            a.emit(_STX[size], 0, 6, off, 0)
        a.label(skip)

    def packet(self) -> None:
        r, a = self.rng, self.a
        if self.prog_type == SOCKET_FILTER:
            return
        d, de = (0, 4) if self.prog_type == XDP else (76, 80)
        a.emit(0x61, 2, 1, d, 0)
        a.emit(0x61, 3, 1, de, 0)
        n = r.randint(1, 40)
        out = a.new_label()
        if not self.want("pkt_no_check"):
            a.emit(0xBF, 4, 2, 0, 0)
            a.emit(0x07, 4, 0, 0, n)
            if r.random() < 0.5:
                a.jmp(0x2D, 4, 3, 0, out)  # if r4 > r3 goto out
            else:
                ok = a.new_label()
                a.jmp(0xAD, 4, 3, 0, ok)  # if r4 < r3 goto ok
                a.jmp(0x05, 0, 0, 0, out)
                a.label(ok)
        size = r.choice((1, 2, 4))
        size = min(size, n) if n in (1, 2) else size
        off = r.randint(0, max(0, n - size))
        if self.want("pkt_beyond_range"):
            off = n - size + r.randint(1, 4) + 1
        a.emit(_LDX[size], 5, 2, off, 0)
        a.label(out)

    def loop(self) -> None:
        r, a = self.rng, self.a
        head = a.new_label()
        a.emit(0xB7, 9, 0, 0, 0)
        a.label(head)
        if self.want("infinite_loop"):
            a.emit(0xB7, 9, 0, 0, 0)
            a.jmp(0xA5, 9, 0, r.randint(2, 20), head)
            return
        a.emit(0x07, 9, 0, 0, 1)
        a.jmp(0xA5, 9, 0, r.randint(2, 20), head)

    def ringbuf(self) -> None:
        r, a = self.rng, self.a
        self.maps.add(2)
        a.map(1, 2)
        size = r.choice((8, 16))
        a.emit(0xB7, 2, 0, 0, size)
        a.emit(0xB7, 3, 0, 0, 0)
        a.emit(0x85, 0, 0, 0, 131)
        out = a.new_label()
        a.jmp(0x15, 0, 0, 0, out)
        a.emit(_ST[8], 0, 0, 0, r.randint(0, 100))
        if not self.want("leaked_ref"):
            a.emit(0xBF, 1, 0, 0, 0)
            a.emit(0xB7, 2, 0, 0, 0)
            a.emit(0x85, 0, 0, 0, r.choice((132, 133)))
        a.label(out)

    def ptr_ops(self) -> None:
        r, a = self.rng, self.a
        a.emit(0xBF, 2, 10, 0, 0)
        if self.want("ptr_mul"):
            a.emit(0x27, 2, 0, 0, 2)
        elif self.want("ptr_bitwise"):
            a.emit(r.choice((0x47, 0x57, 0xA7)), 2, 0, 0, 1)
        elif self.want("ptr32"):
            a.emit(0x04, 2, 0, 0, -8)
        elif self.want("scalar_deref"):
            a.emit(_LDX[4], 3, 6, 0, 0)
        a.emit(0x07, 2, 0, 0, -16)
        a.emit(_ST[8], 2, 0, 0, 7)

    # --- bpf-to-bpf calls and callbacks (extended seeds) ------------------------------
    def sub(self, body: object) -> str:
        """A subprogram emitted after the main program; its label."""
        lab = self.a.new_label()
        self.subs.append((lab, body))
        return lab

    def subcall(self) -> None:
        r, a = self.rng, self.a
        kind = r.choice(("scalar", "stack_arg", "own_stack", "nested"))
        if self.defect in ("return_stack_ptr", "callee_uninit_stack", "call_too_deep",
                           "stack_too_large", "recursion") and not self.used_defect:
            kind = "scalar"
        if self.defect == "callee_stack_arg_oob" and not self.used_defect:
            kind = "stack_arg"
        if self.want("callee_uninit_arg"):
            # a first call scratches r1..r5; the second callee reads r3
            first = self.sub(lambda: self.emit_body_scalar(False))
            a.emit(0xB7, 1, 0, 0, r.randint(0, 9))
            a.call(first)
            a.call(self.sub(lambda: (a.emit(0xBF, 0, 3, 0, 0), a.emit(*EXIT))))
            return
        if kind == "stack_arg":
            off = -8 * r.randint(1, 4)
            a.emit(_STX[8], 10, 6, off, 0)
            a.emit(0xBF, 1, 10, 0, 0)
            a.emit(0x07, 1, 0, 0, off)
            oob = self.want("callee_stack_arg_oob")
            a.call(self.sub(lambda: self.emit_body_stack_arg(oob, -off)))
            a.emit(_LDX[8], 7, 10, off, 0)
        elif kind == "own_stack":
            a.emit(0xBF, 1, 6, 0, 0)
            a.call(self.sub(self.emit_body_own_stack))
        elif kind == "nested":
            depth = r.randint(2, 4)
            a.emit(0xB7, 1, 0, 0, r.randint(0, 9))
            a.call(self.chain(depth))
        else:
            a.emit(0xB7, 1, 0, 0, r.randint(-5, 9))
            if self.want("call_too_deep"):
                a.call(self.chain(9))
            elif self.want("stack_too_large"):
                a.emit(_ST[8], 10, 0, -8 * r.randint(40, 64), 0)
                a.call(self.sub(lambda: (a.emit(_ST[8], 10, 0, -8 * r.randint(40, 64), 0),
                                         a.emit(0xB7, 0, 0, 0, 0), a.emit(*EXIT))))
            elif self.want("recursion"):
                lab = self.a.new_label()
                self.subs.append((lab, lambda: (a.emit(0xB7, 0, 0, 0, 0),
                                                a.jmp(0x15, 1, 0, 0, "R" + lab),
                                                a.call(lab), a.label("R" + lab),
                                                a.emit(*EXIT))))
                a.call(lab)
            else:
                ret_ptr = self.want("return_stack_ptr")
                uninit = not ret_ptr and self.want("callee_uninit_stack")
                a.call(self.sub(lambda: self.emit_body_scalar(ret_ptr, uninit)))
        if self.want("caller_reads_clobbered"):
            a.emit(0xBF, 8, r.choice((1, 2, 3)), 0, 0)
        a.emit(0xBF, 8, 0, 0, 0)  # the callee's return value

    def chain(self, depth: int) -> str:
        """Subprograms calling each other ``depth`` deep; the first one's label."""
        a = self.a
        labels = [a.new_label() for _ in range(depth)]
        for i, lab in enumerate(labels):
            nxt = labels[i + 1] if i + 1 < depth else None

            def body(nxt: str | None = nxt) -> None:
                a.emit(0x07, 1, 0, 0, 1)
                if nxt is not None:
                    a.call(nxt)
                else:
                    a.emit(0xBF, 0, 1, 0, 0)
                a.emit(*EXIT)
            self.subs.append((lab, body))
        return labels[0]

    def emit_body_scalar(self, ret_ptr: bool, uninit: bool = False) -> None:
        r, a = self.rng, self.a
        a.emit(0xBF, 0, 1, 0, 0)
        a.emit(0x27, 0, 0, 0, r.randint(1, 5))
        a.emit(0x07, 0, 0, 0, r.randint(-3, 3))
        if uninit:
            a.emit(_LDX[8], 2, 10, -8 * r.randint(1, 4), 0)
        if ret_ptr:
            a.emit(0xBF, 0, 10, 0, 0)
            a.emit(0x07, 0, 0, 0, -8)
        a.emit(*EXIT)

    def emit_body_stack_arg(self, oob: bool, room: int) -> None:
        a = self.a
        a.emit(_LDX[8], 0, 1, room if oob else 0, 0)
        a.emit(0x07, 0, 0, 0, 1)
        a.emit(_STX[8], 1, 0, 0, 0)
        a.emit(*EXIT)

    def emit_body_own_stack(self) -> None:
        r, a = self.rng, self.a
        off = -8 * r.randint(1, 8)
        a.emit(_STX[8], 10, 1, off, 0)
        a.emit(_LDX[8], 0, 10, off, 0)
        a.emit(0x57, 0, 0, 0, 0xFF)
        a.emit(*EXIT)

    def callback(self) -> None:
        """bpf_loop(n, cb, ctx on the stack, 0): the callback adds to the caller's slot."""
        r, a = self.rng, self.a
        self.has_callback = True
        bad = self.want("cb_bad_return")
        a.emit(_ST[8], 10, 0, -8, 0)
        a.emit(0xB7, 1, 0, 0, r.randint(1, 20))
        a.func(2, self.sub(lambda: self.emit_callback(bad)))
        a.emit(0xBF, 3, 10, 0, 0)
        a.emit(0x07, 3, 0, 0, -8)
        a.emit(0xB7, 4, 0, 0, 0)
        a.emit(0x85, 0, 0, 0, 181)
        a.emit(_LDX[8], 9, 10, -8, 0)

    def emit_callback(self, bad: bool) -> None:
        r, a = self.rng, self.a
        a.emit(_LDX[8], 3, 2, 0, 0)
        a.emit(0x0F, 3, 1, 0, 0)
        a.emit(_STX[8], 2, 3, 0, 0)
        a.emit(0xB7, 0, 0, 0, r.choice((2, 3, -1)) if bad else r.choice((0, 1)))
        a.emit(*EXIT)

    # --- issue 9's forms (seeds from GEN2_FROM) --------------------------------------
    def ctx_reg(self, reg: int = 1) -> None:
        """``reg`` = the context (spilled at CTX_SLOT at the start)."""
        self.a.emit(_LDX[8], reg, 10, CTX_SLOT, 0)

    def accumulate(self, reg: int) -> None:
        """Add ``reg`` to the return value's accumulator."""
        a = self.a
        a.emit(_LDX[8], 5 if reg != 5 else 4, 10, ACC_SLOT, 0)
        t = 5 if reg != 5 else 4
        a.emit(0x0F, t, reg, 0, 0)
        a.emit(_STX[8], 10, t, ACC_SLOT, 0)

    def use_value(self, reg: int, acc: bool = True) -> None:
        """Use a scalar the way its range matters: as a stack offset without a check
        (accepted only if the verifier knows it small), masked, or compared; then add
        it to the return value (``acc``: not a helper's result, which may differ from
        run to run: a CPU number, a time)."""
        r, a = self.rng, self.a
        how = r.random()
        tmp = 2 if reg != 2 else 3
        if how < 0.3:
            room = r.choice((8, 16, 64, 256))
            a.emit(0xBF, tmp, 10, 0, 0)
            a.emit(0x07, tmp, 0, 0, -room - 256 - 64)  # below the v2 slots
            a.emit(0x0F, tmp, reg, 0, 0)
            a.emit(_ST[1], tmp, 0, 0, 0)
        elif how < 0.7:
            a.emit(0x57, reg, 0, 0, r.choice((7, 0xFF, 0xFFFF)))
            a.emit(0xBF, tmp, 10, 0, 0)
            a.emit(0x07, tmp, 0, 0, -448)
            a.emit(0x57, reg, 0, 0, 63)
            a.emit(0x0F, tmp, reg, 0, 0)
            a.emit(_ST[1], tmp, 0, 0, 0)
        else:
            skip = a.new_label()
            a.jmp(r.choice((0x25, 0x65, 0xA5, 0xC5, 0x15, 0x55)), reg, 0,
                  r.choice((0, 1, 2, 255, 0xFFFF, -1)), skip)
            a.emit(0xB7, reg, 0, 0, r.randint(0, 9))
            a.label(skip)
        if acc:
            self.accumulate(reg)

    def bounded(self, reg: int) -> None:
        """``reg`` = a value from the context, bounded by a mask (or a constant)."""
        r, a = self.rng, self.a
        if r.random() < 0.3:
            a.emit(0xB7, reg, 0, 0, r.choice((0, 1, 0x12, 0x1234, -2, 0x7FFFFFFF, 255)))
            return
        self.ctx_reg(reg)
        off = 0 if self.prog_type != XDP else r.choice((12, 16))
        a.emit(_LDX[4], reg, reg, off, 0)
        op = r.random()
        if op < 0.4:
            a.emit(0x57, reg, 0, 0, r.choice((1, 3, 7, 0xFF, 0xFFFF, 0x7FFFFFFF)))
        elif op < 0.6:
            a.emit(0x07, reg, 0, 0, r.randint(-300, 300))
        elif op < 0.8:
            a.emit(0x04, reg, 0, 0, r.randint(-300, 300))  # 32-bit add

    def v2_cb_then_pkt(self) -> None:
        """A bpf_loop callback, then the packet and the ctx read after it."""
        self.callback()
        if self.prog_type in (XDP, SCHED_CLS, CGROUP_SKB):
            self.ctx_reg(1)
            self.packet()
        self.ctx_reg(1)
        self.ctx()
        self.accumulate(8)

    def v2_narrow_ctx(self) -> None:
        r, a = self.rng, self.a
        size = r.choice((1, 1, 2, 2, 4))
        top = 24 if self.prog_type == XDP else 192
        off = r.randrange(0, top, size)
        self.ctx_reg(1)
        a.emit(_LDX[size], 3, 1, off, 0)
        self.use_value(3)

    def v2_helper(self) -> None:
        """A helper call with arguments of its prototype's forms (or, sometimes, any
        helper id with arbitrary arguments), then its return value in use."""
        from pyebpf import helpers
        from pyebpf.helpers import Arg, Mod

        r, a = self.rng, self.a
        # the kernel's helpers only: one a user registered (register_helper) must not
        # change what a seed generates; none that acts on the process running the test
        # (a signal to it, a close or a bpf() command in its name: the kernel's test run
        # does that to the caller)
        names = sorted(h.name for hid, h in helpers.HELPERS.items()
                       if hid in uapi.BpfFunc._value2member_map_
                       and h.name not in ("ringbuf_reserve", "loop", "for_each_map_elem",
                                          "spin_lock", "spin_unlock", *_ACTS_ON_CALLER))
        # the buffer helpers read, and the map key
        for off in range(BUF, BUF + 32, 8):
            a.emit(_ST[8], 10, 0, off, r.choice((0, 0, 1, 0x41)))
        a.emit(_ST[8], 10, 0, KEY, r.randint(0, 3))
        if r.random() < 0.1:
            fid = r.randint(1, 215)
            for reg in range(1, 6):
                a.emit(0xB7, reg, 0, 0, r.choice((0, 1, 8, -1)))
            if r.random() < 0.5:
                self.ctx_reg(1)
            a.emit(0x85, 0, 0, 0, fid)
            self.use_value(0, acc=False)
            return
        want = r.choice(names)
        h = next(x for x in helpers.HELPERS.values() if x.name == want)
        args = h.args
        for i, spec in enumerate(args):
            reg = i + 1
            t = spec.type
            if t is Arg.ARG_CONST_MAP_PTR:
                idx = r.choice((0, 1, 2))
                self.maps.add(idx)
                a.map(reg, idx)
            elif t is Arg.ARG_PTR_TO_MAP_KEY:
                a.emit(0xBF, reg, 10, 0, 0)
                a.emit(0x07, reg, 0, 0, KEY)
            elif t in (Arg.ARG_PTR_TO_MAP_VALUE, Arg.ARG_PTR_TO_MEM, Arg.ARG_PTR_TO_LONG):
                if spec.mods & Mod.PTR_MAYBE_NULL and r.random() < 0.3:
                    a.emit(0xB7, reg, 0, 0, 0)
                    continue
                a.emit(0xBF, reg, 10, 0, 0)
                a.emit(0x07, reg, 0, 0, BUF + r.choice((0, 0, 8, 16, 4)))
            elif t in (Arg.ARG_CONST_SIZE, Arg.ARG_CONST_SIZE_OR_ZERO):
                if r.random() < 0.7:
                    a.emit(0xB7, reg, 0, 0, r.choice((0, 1, 4, 8, 16, 32, 40)))
                else:
                    self.bounded(reg)
            elif t is Arg.ARG_PTR_TO_CTX:
                self.ctx_reg(reg)
            else:  # ARG_ANYTHING and the rest: a scalar
                a.emit(0xB7, reg, 0, 0, r.choice((0, 0, 1, 2, 8, -1)))
        a.emit(0x85, 0, 0, 0, h.id)
        if h.ret is helpers.Ret.RET_PTR_TO_MAP_VALUE_OR_NULL:
            skip = a.new_label()
            a.jmp(0x15, 0, 0, 0, skip)
            a.emit(_LDX[4], 3, 0, 0, 0)
            a.label(skip)
        elif h.ret is helpers.Ret.RET_INTEGER:
            self.use_value(0, acc=False)

    def v2_atomic_spill(self) -> None:
        """An atomic on a stack slot holding a spilled constant or bounded scalar; the
        fetched value in use."""
        r, a = self.rng, self.a
        off = -8 * r.randint(9, 12)
        if r.random() < 0.6:
            a.emit(0xB7, 3, 0, 0, r.choice((0, 1, 5, 200, -1)))
        else:
            self.bounded(3)
        if r.random() < 0.8:
            a.emit(_STX[8], 10, 3, off, 0)
        else:
            a.emit(_ST[8], 10, 0, off, r.randint(0, 9))
        width = r.choice((8, 8, 4))
        code = 0xDB if width == 8 else 0xC3
        op = r.choice((0x01, 0x41, 0x51, 0xA1, 0xE1, 0xF1, 0x00))  # fetch add/or/and/xor,
        a.emit(0xB7, 4, 0, 0, r.choice((0, 1, 7)))                   # xchg, cmpxchg, add
        if op == 0xF1:
            a.emit(0xB7, 0, 0, 0, r.choice((0, 1, 5)))
        a.emit(code, 10, 4, off, op)
        if r.random() < 0.5:
            a.emit(_LDX[width], 3, 10, off, 0)
            self.use_value(3)
        self.use_value(0 if op == 0xF1 else 4)

    def v2_bswap(self) -> None:
        r, a = self.rng, self.a
        self.bounded(3)
        kind = r.random()
        bits = r.choice((16, 32, 64))
        if kind < 0.35:
            a.emit(0xD4, 3, 0, 0, bits)   # le
        elif kind < 0.7:
            a.emit(0xDC, 3, 0, 0, bits)   # be
        else:
            a.emit(0xD7, 3, 0, 0, bits)   # bswap (v4)
        self.use_value(3)

    def v2_ld_abs(self) -> None:
        r, a = self.rng, self.a
        if self.prog_type not in (SOCKET_FILTER, SCHED_CLS) and r.random() < 0.8:
            return
        a.emit(_STX[8], 10, 6, SAVE_SLOT, 0)
        self.ctx_reg(6)
        size = r.choice((1, 2, 4))
        mode = {1: 0x10, 2: 0x08, 4: 0x00}[size]
        if r.random() < 0.5:
            a.emit(0x20 | mode, 0, 0, 0, r.randint(0, 40))  # LD_ABS
        else:
            a.emit(0xB7, 7, 0, 0, r.randint(0, 20))
            a.emit(0x40 | mode, 0, 7, 0, r.randint(0, 20))  # LD_IND
        a.emit(_LDX[8], 6, 10, SAVE_SLOT, 0)
        self.use_value(0)

    def v2_alu32(self) -> None:
        """ALU32 division/modulo, variable shifts and arithmetic shifts, then in use."""
        r, a = self.rng, self.a
        self.bounded(3)
        op = r.choice(("div", "mod", "lshx", "rshx", "arshx", "arsh", "sdiv"))
        is32 = r.random() < 0.6
        if op in ("div", "mod"):
            a.emit((0x34 if op == "div" else 0x94) | (0 if is32 else 3), 3, 0, 0,
                   r.choice((1, 3, 16)))
        elif op == "sdiv":
            a.emit(0x34 | (0 if is32 else 3), 3, 0, 1, r.choice((1, 3, -2)))
        elif op == "arsh":
            a.emit(0xC4 | (0 if is32 else 3), 3, 0, 0, r.randint(0, 31))
        else:
            a.emit(0xB7, 4, 0, 0, r.randint(0, 7))
            if r.random() < 0.5:
                a.emit(0x57, 4, 0, 0, 7)
            code = {"lshx": 0x6C, "rshx": 0x7C, "arshx": 0xCC}[op] | (0 if is32 else 3)
            a.emit(code, 3, 4, 0, 0)
        self.use_value(3)

    def v2_dead(self) -> None:
        """Dead code (a branch on a known constant skips it) holding an instruction the
        verifier would refuse where it walks."""
        r, a = self.rng, self.a
        k = r.randint(0, 5)
        a.emit(0xB7, 0, 0, 0, k)
        out = a.new_label()
        a.jmp(0x15, 0, 0, k, out)
        kind = r.choice(("r10", "helper", "reserved", "ldabs", "div0", "shift", "unknown"))
        if kind == "r10":
            a.emit(r.choice((0xB7, 0x07, 0xBF)), 10, 0, 0, 1)
        elif kind == "helper":
            a.emit(0x85, 0, 0, 0, r.choice((189, 26, 44, 6, 9, 51, 65)))
        elif kind == "reserved":
            a.emit(0xB7, 1, 2, 0, 0)
        elif kind == "ldabs":
            a.emit(0x30, 0, 0, 0, 0)
        elif kind == "div0":
            a.emit(0x37, 1, 0, 0, 0)
        elif kind == "shift":
            a.emit(0x67, 1, 0, 0, 70)
        else:
            a.emit(0x85, 0, 0, 0, 9999)
        a.label(out)

    def structural(self) -> None:
        a = self.a
        if self.want("unknown_opcode"):
            a.emit(self.rng.choice((0x8F, 0xE7, 0x06 + 0x80, 0xFF)), 0, 0, 0, 0)
        if self.want("jump_out_of_range"):
            a.emit(0x05, 0, 0, self.rng.choice((400, -400)), 0)
        if self.want("unreachable"):
            lab = self.a.new_label()
            a.jmp(0x05, 0, 0, 0, lab)
            a.emit(0xB7, 0, 0, 0, 1)
            a.label(lab)

    def program(self, seed: int) -> GenProgram:
        r = self.rng
        if r.random() < (0.75 if not self.v2 else 0.35):
            choices = list(DEFECTS)
            if self.ext:
                choices += CALL_DEFECTS * 2
                if self.prog_type != CGROUP_SKB:
                    choices.remove("bad_return")
                    choices.remove("bad_return")
            if self.prog_type == SOCKET_FILTER:
                choices = [c for c in choices if not c.startswith("pkt")]
            self.defect = r.choice(choices)
        blocks = [self.scalars, self.stack, self.ctx, self.lookup, self.packet, self.loop,
                  self.ringbuf, self.ptr_ops, self.structural]
        if self.ext:
            blocks += [self.subcall, self.callback]
        if self.v2:
            v2 = [self.v2_cb_then_pkt, self.v2_narrow_ctx, self.v2_helper, self.v2_helper,
                  self.v2_atomic_spill, self.v2_bswap, self.v2_ld_abs, self.v2_alu32,
                  self.v2_dead]
            blocks += v2
        a = self.a
        if self.v2:
            a.emit(_STX[8], 10, 1, CTX_SLOT, 0)
            a.emit(_ST[8], 10, 0, ACC_SLOT, 0)
        self.scalars()
        order = [b for b in blocks[1:] if r.random() < (0.6 if not self.v2 else 0.3)]
        r.shuffle(order)
        # make sure the defect's block is present
        home = {"stack_oob": self.stack, "stack_misaligned": self.stack, "ctx_bad_off": self.ctx,
                "ctx_bad_write": self.ctx, "no_null_check": self.lookup,
                "map_value_oob": self.lookup, "helper_bad_map": self.lookup,
                "helper_bad_key": self.lookup, "null_ptr_arith": self.lookup,
                "map_var_off_unbounded": self.lookup, "pkt_no_check": self.packet,
                "pkt_beyond_range": self.packet, "infinite_loop": self.loop,
                "leaked_ref": self.ringbuf, "ptr_mul": self.ptr_ops, "ptr_bitwise": self.ptr_ops,
                "ptr32": self.ptr_ops, "scalar_deref": self.ptr_ops,
                "unknown_opcode": self.structural, "jump_out_of_range": self.structural,
                "unreachable": self.structural}
        if self.ext:
            home.update({d: self.subcall for d in CALL_DEFECTS})
            home.update({"cb_bad_return": self.callback, "no_func_info": self.callback})
            home.pop("bad_return")
        if self.defect in home and home[self.defect] not in order:
            order.insert(r.randrange(len(order) + 1), home[self.defect])
        # blocks that clobber r1 (calls) come after the ctx-using ones
        ctx_first = [b for b in order if b in (self.ctx, self.packet)]
        rest = [b for b in order if b not in ctx_first]
        for b in ctx_first + rest:
            b()
        if not self.want("uninit_r0"):
            if self.v2:
                # the accumulated value decides the return code (within its range)
                a.emit(_LDX[8], 0, 10, ACC_SLOT, 0)
                hi = {CGROUP_SKB: 3 if self.attach else 1, XDP: 3}.get(self.prog_type)
                if hi is not None:
                    a.emit(0x57, 0, 0, 0, hi)
            elif self.prog_type == CGROUP_SKB:
                # allow/drop (and congestion notification on egress)
                hi = 3 if self.attach else 1
                a.emit(0xB7, 0, 0, 0, hi + 1 if self.want("bad_return") else r.randint(0, hi))
            else:
                a.emit(0xB7, 0, 0, 0, r.choice((0, 1, 2)))
        a.emit(*EXIT)
        done = 0
        while done < len(self.subs):  # subprograms may add more (call chains)
            lab, body = self.subs[done]
            a.label(lab)
            body()  # type: ignore[operator]
            done += 1
        if self.has_callback:
            self.want("no_func_info")  # then the program goes without func_info
        defect = self.defect if self.used_defect else None
        insns = a.build()
        func_info = None
        if self.subs and defect != "no_func_info":
            from pyebpf.verifier import subprog_starts

            func_info = [(s, 3 + i) for i, s in enumerate(subprog_starts(insns))]
        return GenProgram(seed, self.prog_type, insns, defect,
                          {i: MAPS[i] for i in sorted(self.maps)}, self.attach, func_info)


def generate(seed: int) -> GenProgram:
    """The program for ``seed`` (deterministic)."""
    return _Gen(seed).program(seed)
