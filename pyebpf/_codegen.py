"""Generate the interpreter's dispatch loop from the ISA table.

``python -m pyebpf._codegen`` rewrites ``pyebpf/_dispatch.pxi``; a test checks
the committed file is what this module produces, so the table in
:mod:`pyebpf.isa` and the interpreter cannot drift apart.

Each row of :data:`pyebpf.isa.SPECS` gets one branch of the loop, built from
its semantic fields (``op``, ``width``, operand form).  The eBPF semantics that
C leaves undefined or that Cython's ``cdivision`` changes are spelt out here:
division by zero gives 0, modulo by zero keeps the dividend, ``INT_MIN / -1``
is ``INT_MIN`` and ``INT_MIN % -1`` is 0, shift counts are masked.
"""

from __future__ import annotations

import pathlib

from pyebpf.isa import HANDLER_ID, SPECS, Form, OpSpec

_C_TYPES = {1: "uint8_t", 2: "uint16_t", 4: "uint32_t", 8: "uint64_t"}
_S_TYPES = {1: "int8_t", 2: "int16_t", 4: "int32_t", 8: "int64_t"}

_FAULT = ("vm.fault_pc = ins - insns\n"
          "    vm.budget = (budget - (<char *>ip - <char *>seg)) / INSN_BYTES\n"
          "    return vm_fault(vm, {kind}, {addr}, {size})")


def _alu(spec: OpSpec) -> str:
    wide = spec.width == 64
    ut, st = ("uint64_t", "int64_t") if wide else ("uint32_t", "int32_t")
    mask = 63 if wide else 31
    a = "reg[ins.dst]" if wide else "<uint32_t>reg[ins.dst]"
    if spec.form is Form.ALU_REG:
        b = "reg[ins.src]" if wide else "<uint32_t>reg[ins.src]"
    else:
        b = "<uint64_t>ins.imm" if wide else "<uint32_t>ins.imm"
    simple = {"add": "+", "sub": "-", "mul": "*", "or": "|", "and": "&", "xor": "^"}
    op = spec.op
    lines = [f"a = {a}", f"b = {b}"]
    if op in simple:
        lines.append(f"a = a {simple[op]} b")
    elif op == "lsh":
        lines.append(f"a = a << (b & {mask})")
    elif op == "rsh":
        lines.append(f"a = a >> (b & {mask})")
    elif op == "arsh":
        lines.append(f"a = <{ut}>(<{st}>a >> (b & {mask}))")
    elif op == "mov":
        lines.append("a = b")
    elif op == "div":
        lines.append("a = a / b if b != 0 else 0")
    elif op == "mod":
        lines.append("a = a % b if b != 0 else a")
    elif op == "sdiv":
        lines += ["if b == 0:", "    a = 0",
                  f"elif <{st}>b == -1:", f"    a = <{ut}>0 - a",
                  "else:", f"    a = <{ut}>(<{st}>a / <{st}>b)"]
    elif op == "smod":
        lines += [f"if b != 0 and <{st}>b == -1:", "    a = 0",
                  "elif b != 0:", f"    a = <{ut}>(<{st}>a % <{st}>b)"]
    else:  # pragma: no cover - the table has no other ALU ops
        raise AssertionError(op)
    lines.append("reg[ins.dst] = a" if wide else "reg[ins.dst] = <uint32_t>a")
    return "\n".join(lines)


def _body(spec: OpSpec) -> str:
    op, form = spec.op, spec.form
    if form in (Form.ALU_REG, Form.ALU_IMM):
        return _alu(spec)
    if op == "neg":
        return ("reg[ins.dst] = <uint64_t>0 - reg[ins.dst]" if spec.width == 64
                else "reg[ins.dst] = <uint32_t>(<uint32_t>0 - <uint32_t>reg[ins.dst])")
    if op == "movsx":
        bits = spec.variant[1] if spec.variant else 0
        cast = f"<uint64_t><int64_t><{_S_TYPES[bits // 8]}>reg[ins.src]"
        return f"reg[ins.dst] = {cast}" if spec.width == 64 else \
            f"reg[ins.dst] = <uint32_t>{cast}"
    if op in ("le", "be", "bswap"):
        t = _C_TYPES[spec.width // 8]
        if op == "le":
            return "pass" if spec.width == 64 else f"reg[ins.dst] = <{t}>reg[ins.dst]"
        return f"reg[ins.dst] = bswap{spec.width}(<{t}>reg[ins.dst])"
    if form in (Form.JCOND_REG, Form.JCOND_IMM):
        return _jcond(spec)
    if op == "may_goto":
        return "if vm.may_goto == 0:\n" + _indent(_TAKE, 4) + "\nelse:\n    vm.may_goto -= 1"
    if form in (Form.JA, Form.JA32):
        return _TAKE
    if form in (Form.LDX, Form.ST, Form.STX):
        return _mem(spec)
    if form is Form.ATOMIC:
        return _atomic(spec)
    if form is Form.LDDW:
        return ("reg[ins.dst] = <uint32_t>ins.imm | (<uint64_t><uint32_t>ip.imm << 32)\n"
                "ip += 1")
    if form in (Form.LDABS, Form.LDIND):
        return _ldabs(spec)
    if form is Form.CALL:
        return _CALL
    if form is Form.CALLX:
        return _CALLX
    if form is Form.EXIT:
        return _EXIT
    raise AssertionError(spec)  # pragma: no cover


def _jcond(spec: OpSpec) -> str:
    wide = spec.width == 64
    ut, st = ("uint64_t", "int64_t") if wide else ("uint32_t", "int32_t")
    a = "reg[ins.dst]" if wide else "<uint32_t>reg[ins.dst]"
    if spec.form is Form.JCOND_REG:
        b = "reg[ins.src]" if wide else "<uint32_t>reg[ins.src]"
    else:
        b = "<uint64_t>ins.imm" if wide else "<uint32_t>ins.imm"
    name = spec.op[1:]
    cmp = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    if name == "set":
        cond = f"({a} & {b}) != 0"
    elif name.startswith("s"):
        cond = f"<{st}>{a} {cmp[name[1:]]} <{st}>{b}"
    else:
        cond = f"<{ut}>{a} {cmp[name]} <{ut}>{b}"
    return f"if {cond}:\n" + _indent(_TAKE, 4)


def _mem(spec: OpSpec) -> str:
    n = spec.width
    bits = n * 8
    if spec.form is Form.LDX:
        load = f"ld{bits}(p)"
        if spec.op == "ldxs":
            load = f"<uint64_t><int64_t><{_S_TYPES[n]}>{load}"
        return (f"addr = reg[ins.src] + <uint64_t>ins.off\n"
                f"p = hot_read(vm, addr, {n})\n"
                f"if p == NULL:\n    {_FAULT.format(kind='FAULT_READ', addr='addr', size=n)}\n"
                f"reg[ins.dst] = {load}")
    value = "reg[ins.src]" if spec.form is Form.STX else "<uint64_t>ins.imm"
    return (f"addr = reg[ins.dst] + <uint64_t>ins.off\n"
            f"p = hot_write(vm, addr, {n})\n"
            f"if p == NULL:\n    {_FAULT.format(kind='FAULT_WRITE', addr='addr', size=n)}\n"
            f"st{bits}(p, <{_C_TYPES[n]}>{value})")


def _atomic(spec: OpSpec) -> str:
    n = spec.width
    bits = n * 8
    t = _C_TYPES[n]
    name = spec.op[len("atomic_"):]
    head = (f"addr = reg[ins.dst] + <uint64_t>ins.off\n"
            f"p = vm_access(vm, addr, {n}, REGION_RW)\n"
            f"if p == NULL:\n    {_FAULT.format(kind='FAULT_WRITE', addr='addr', size=n)}\n")
    if name == "cmpxchg":
        return head + f"reg[0] = atomic_cmpxchg{bits}(p, <{t}>reg[0], <{t}>reg[ins.src])"
    if name == "xchg":
        return head + f"reg[ins.src] = atomic_xchg{bits}(p, <{t}>reg[ins.src])"
    fetch = name.startswith("fetch_")
    base = name[len("fetch_"):] if fetch else name
    call = f"atomic_fetch_{base}{bits}(p, <{t}>reg[ins.src])"
    return head + (f"reg[ins.src] = {call}" if fetch else call)


def _ldabs(spec: OpSpec) -> str:
    n = spec.width
    bits = n * 8
    if spec.form is Form.LDABS:
        ofs = "ofs = ins.imm"
    else:
        ofs = "ofs = <int32_t>(<uint32_t>reg[ins.src] + <uint32_t>ins.imm)"
    load = "vm.packet[ofs]" if n == 1 else f"bswap{bits}(ld{bits}(vm.packet + ofs))"
    return (f"{ofs}\n"
            f"if ofs < 0 or <uint64_t>ofs + {n} > vm.packet_len:\n"
            "    reg[0] = 0\n"
            "    vm.budget = (budget - (<char *>ip - <char *>seg)) / INSN_BYTES\n"
            "    vm.depth = 0\n"
            "    return 0\n"
            f"reg[0] = {load}")


# A taken jump ends a straight-line run: charge the budget for it.  Only
# loops and calls can run long, and both pass here, so the budget is checked
# without a cost on every instruction; `budget` stays an exact count (in bytes
# of pre-decoded code inside the loop, in instructions outside it).
_TAKE = """\
budget -= <char *>ip - <char *>seg
if budget < 0:
    vm.fault_pc = ins - insns
    vm.budget = budget / INSN_BYTES
    return vm_fault(vm, FAULT_BUDGET, 0, 0)
ip = <Insn *>(<char *>insns + ins.target)
seg = ip"""

def _helper_call(helper_id: str) -> str:
    """A call through the helper table: the straight-line run ends here too."""
    return f"""\
budget -= <char *>ip - <char *>seg
seg = ip
st = call_helper(vm, {helper_id})
if st != HELPER_OK:
    if st == HELPER_TAIL_CALL:
        insns = vm.tail_insns
        ninsns = vm.tail_ninsns
        ip = insns
        seg = ip
    elif st == HELPER_EXIT:
        vm.depth = 0
        vm.budget = budget / INSN_BYTES
        return 0
    else:
        vm.fault_pc = ins - insns
        return -1"""


_CALL = """\
if ins.src == 1:
    if vm.depth + 1 >= MAX_FRAMES:
        vm.fault_pc = ins - insns
        vm.budget = budget / INSN_BYTES
        return vm_fault(vm, FAULT_DEPTH, 0, 0)
    push_frame(vm, insns, ninsns, ip - insns)
""" + "\n".join("    " + line for line in _TAKE.splitlines()) + """
else:
""" + "\n".join("    " + line for line in _helper_call("<uint64_t>ins.imm").splitlines())

_CALLX = _helper_call("reg[ins.dst]")

_EXIT = """\
budget -= <char *>ip - <char *>seg
if vm.depth == 0:
    vm.budget = budget / INSN_BYTES
    return 0
ip = pop_frame(vm, &insns, &ninsns)
seg = ip"""


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line if line else line for line in text.splitlines())


def generate() -> str:
    """The text of ``_dispatch.pxi``."""
    out = [
        "# GENERATED by `python -m pyebpf._codegen` from the table in pyebpf/isa.py.",
        "# Do not edit: change the table or pyebpf/_codegen.py and regenerate.",
        "# Included by _core.pyx after the memory, helper and frame functions.",
        "",
        "cdef enum:",
        "    H_ILLEGAL = 0",
    ]
    out += [f"    H_{s.ident} = {HANDLER_ID[s.ident]}" for s in SPECS]
    out += [
        "",
        "",
        "cdef int run_loop(VMState *vm, Insn *insns, int32_t ninsns) noexcept nogil:",
        '    """Fetch, decode, execute until exit; 0 on exit, -1 on a fault."""',
        "    cdef uint64_t *reg = vm.regs",
        "    cdef Insn *ins",
        "    cdef Insn *ip = insns",
        "    cdef Insn *seg = insns",
        "    # Kept in bytes of pre-decoded code: charging a run is then one subtraction.",
        "    cdef int64_t budget = vm.budget * INSN_BYTES",
        "    cdef int64_t ofs",
        "    cdef uint64_t a, b, addr",
        "    cdef uint8_t *p",
        "    cdef uint8_t h",
        "    cdef int st",
        "    while True:",
        "        ins = ip",
        "        ip += 1",
        "        h = ins.handler",
    ]
    first = True
    for spec in SPECS:
        kw = "if" if first else "elif"
        first = False
        out.append(f"        {kw} h == H_{spec.ident}:  # {spec.mnemonic}")
        out.append(_indent(_body(spec), 12))
    out += [
    ]
    # Naming every other value of the uint8 handler lets the C compiler drop
    # the range check in front of its jump table.
    illegal = [0, *range(len(SPECS) + 1, 256)]
    out.append("        elif (" + " or\n              ".join(
        " or ".join(f"h == {v}" for v in illegal[i:i + 8]) for i in range(0, len(illegal), 8)
    ) + "):")
    out += [
        "            vm.fault_pc = ins - insns",
        "            vm.budget = budget / INSN_BYTES",
        "            return vm_fault(vm, FAULT_ILLEGAL, ins.opcode, 0)",
        "",
    ]
    return "\n".join(out)


TARGET = pathlib.Path(__file__).with_name("_dispatch.pxi")


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    TARGET.write_text(generate())
    print(f"wrote {TARGET}")
