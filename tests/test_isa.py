"""The ISA table: coverage of the kernel's opcode list, codec, structural checks."""

from __future__ import annotations

import struct

import pytest

from pyebpf import _codegen, isa
from pyebpf.errors import LoadError
from pyebpf.isa import Instruction

# Opcode bytes of the kernel's BPF_INSN_MAP plus the cBPF carry-overs of
# public_insntable (kernel/bpf/core.c, Linux 6.18: with load-acquire/store-release
# for every size and may_goto), written out from the kernel source as the
# independent reference this table is checked against.
_ALU_OPS = (0x00, 0x10, 0x50, 0x40, 0x60, 0x70, 0xA0, 0x20, 0xB0, 0xC0, 0x30, 0x90)
_JMP_OPS = (0x10, 0x50, 0x20, 0xA0, 0x30, 0xB0, 0x60, 0xC0, 0x70, 0xD0, 0x40)
KERNEL_INSNTABLE = (
    {0x04 | op | s for op in _ALU_OPS for s in (0, 8)} | {0x84, 0xD4, 0xDC}
    | {0x07 | op | s for op in _ALU_OPS for s in (0, 8)} | {0x87, 0xD7}
    | {0x85, 0x95}
    | {0x06 | op | s for op in _JMP_OPS for s in (0, 8)}
    | {0x05 | op | s for op in _JMP_OPS for s in (0, 8)}
    | {0x05, 0x06}
    | {0xC3, 0xDB, 0xCB, 0xD3}
    | {0xE5}
    | {0x73, 0x6B, 0x63, 0x7B, 0x72, 0x6A, 0x62, 0x7A}
    | {0x71, 0x69, 0x61, 0x79, 0x91, 0x89, 0x81}
    | {0x18}
    | {0x30, 0x28, 0x20, 0x50, 0x48, 0x40}
)


def test_generated_dispatch_is_current() -> None:
    assert _codegen.TARGET.read_text() == _codegen.generate(), (
        "pyebpf/_dispatch.pxi is stale: run `python -m pyebpf._codegen`"
    )


def test_compiled_core_is_loaded() -> None:
    from pyebpf import _core

    assert _core.__file__.endswith((".so", ".pyd")), _core.__file__


@pytest.mark.parametrize("code", range(256), ids=lambda c: f"{c:#04x}")
def test_opcode_in_insntable_matches_kernel_list(code: int) -> None:
    assert isa.bpf_opcode_in_insntable(code) == (code in KERNEL_INSNTABLE)


def test_callx_is_an_extension_outside_the_kernel_table() -> None:
    (spec,) = isa.BY_CODE[0x8D]
    assert spec.mnemonic == "callx" and not spec.in_kernel_table
    assert not isa.bpf_opcode_in_insntable(0x8D)


def test_every_row_has_a_unique_ident_and_group() -> None:
    idents = [s.ident for s in isa.SPECS]
    assert len(idents) == len(set(idents))
    assert {s.group for s in isa.SPECS} == set(isa.GROUPS)
    assert len(isa.SPECS) < 256, "handler ids must fit the compiled loop's uint8"


def test_variants_are_unambiguous() -> None:
    for code, rows in enumerate(isa.BY_CODE):
        keys = [r.variant for r in rows]
        assert len(keys) == len(set(keys)), hex(code)
        if len(rows) > 1:
            assert all(k is not None for k in keys), hex(code)


@pytest.mark.parametrize(
    ("mnemonic", "cpu"),
    [("jlt", 2), ("jsle", 2), ("jeq32", 3), ("lock fetch add", 3), ("lock add", 1),
     ("sdiv", 4), ("movsx1664", 4), ("bswap32", 4), ("ldxsw", 4), ("ja32", 4), ("add", 1)],
)
def test_cpu_versions(mnemonic: str, cpu: int) -> None:
    assert isa.BY_MNEMONIC[mnemonic][0].cpu == cpu


def test_decode_encode_round_trip_with_lddw() -> None:
    prog = [Instruction(0x18, 1, 0, 0, 0x1122334455667788), Instruction(0xB7, 0, 0, 0, -1),
            Instruction(0x95)]
    data = isa.encode(prog)
    assert len(data) == 32
    out = isa.decode(data)
    assert [(i.code, i.dst, i.imm, i.pc) for i in out] == [
        (0x18, 1, 0x1122334455667788, 0), (0xB7, 0, -1, 2), (0x95, 0, 0, 3)]
    assert isa.encode(out) == data


def _raw(*insns: tuple[int, int, int, int]) -> bytes:
    return b"".join(struct.pack("<BBhi", *i) for i in insns)


EXIT = (0x95, 0, 0, 0)
MOV0 = (0xB7, 0, 0, 0)


@pytest.mark.parametrize(
    ("name", "code", "pc", "message"),
    [
        ("empty", b"", 0, "program is empty"),
        ("truncated", _raw(MOV0, EXIT)[:-3], 1, "not a multiple of 8"),
        ("unknown-opcode", _raw((0xFF, 0, 0, 0), EXIT), 0, "unknown opcode ff"),
        ("reserved-imm", _raw((0x0F, 0x10, 0, 7), EXIT), 0, "reserved field imm"),
        ("reserved-off", _raw((0x07, 0, 3, 1), EXIT), 0, "reserved field off"),
        ("bad-register", _raw((0xB7, 11, 0, 0), EXIT), 0, "R11 is invalid"),
        ("write-r10", _raw((0xB7, 10, 0, 0), EXIT), 0, "frame pointer is read only"),
        ("jump-out-of-range", _raw((0x05, 0, 5, 0), EXIT), 0,
         "jump out of range from insn 0 to 6"),
        ("jump-into-lddw", _raw((0x05, 0, 1, 0), (0x18, 0, 0, 1), (0, 0, 0, 0), EXIT), 0,
         "jump into the middle of ldimm64 insn 2"),
        ("lddw-missing-half", _raw(MOV0, (0x18, 0, 0, 1)), 1, "invalid BPF_LD_IMM insn"),
        ("lddw-bad-half", _raw((0x18, 0, 0, 1), (0x07, 0, 0, 0), EXIT), 0,
         "invalid BPF_LD_IMM insn"),
        ("no-exit", _raw(MOV0, MOV0), 1, "last insn is not an exit or jmp"),
        ("bad-atomic-op", _raw((0xDB, 0x1A, 0, 0x02), EXIT), 0, "invalid imm 2"),
        ("bad-end-width", _raw((0xD4, 0, 0, 8), EXIT), 0, "invalid imm 8"),
        ("call-bad-src", _raw((0x85, 0x30, 0, 1), EXIT), 0, "BPF_CALL uses reserved fields"),
    ],
)
def test_structural_refusals(name: str, code: bytes, pc: int, message: str) -> None:
    with pytest.raises(LoadError) as info:
        isa.check_program(code)
    assert info.value.pc == pc
    assert message in str(info.value)
    assert info.value.errno == 22


@pytest.mark.parametrize(
    ("raw", "cpu", "needs"),
    [(_raw((0xA5, 1, 0, 0), EXIT), "v1", 2), (_raw((0x16, 1, 0, 0), EXIT), "v2", 3),
     (_raw((0x3F, 0x10, 1, 0), EXIT), "v3", 4)],
)
def test_cpu_option_refuses_newer_instructions(raw: bytes, cpu: str, needs: int) -> None:
    with pytest.raises(LoadError, match=f"needs cpu v{needs}") as info:
        isa.check_program(raw, cpu=cpu)
    assert info.value.pc == 0
    isa.check_program(raw, cpu=f"v{needs}")


def test_unknown_cpu_name() -> None:
    with pytest.raises(ValueError, match="unknown cpu version"):
        isa.cpu_version("v9")


def test_forms_are_distinct_members() -> None:
    assert len(isa.Form.__members__) == len(set(isa.Form))


def test_opcode_table_agrees_with_the_live_kernel(kernel) -> None:
    """Every byte: the kernel refuses as malformed (EINVAL, "unknown opcode" or, for LDX
    modes, the reserved-fields check it runs first) exactly the bytes with no kernel row."""
    from pyebpf.errors import BPFError

    disagree = []
    for code in range(256):
        prog = _raw((code, 0, 0, 0), (0, 0, 0, 0), EXIT) if code == 0x18 else \
            _raw((code, 0, 0, 0), EXIT)
        first = ""
        try:
            with kernel.KernelProgram(prog, log_level=1):
                pass
        except BPFError as exc:
            first = (getattr(exc, "log", "") or "").splitlines()[0] if exc.errno == 22 else ""
        malformed = first in (f"unknown opcode {code:02x}", "BPF_LDX uses reserved fields")
        if malformed == isa.bpf_opcode_in_insntable(code):
            disagree.append((hex(code), first))
    assert not disagree
