"""pyebpf.asm: both syntaxes against the ISA table, llvm-mc's encodings and llvm-objdump's text.

References: the encodings in ``LLVM_MC`` were produced by ``llvm-mc-19 -triple bpfel
-mcpu=v4`` from the text shown; ``tests/data/asm/*.objdump`` are ``llvm-objdump -d``
of the objects next to them (llvm 14 for -mcpu=v1..v3, llvm 19 for v4; see build.sh).
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyebpf import asm, isa
from pyebpf.asm import AsmError
from pyebpf.errors import LoadError
from pyebpf.isa import Form, Instruction, OpSpec

DATA = Path(__file__).parent / "data" / "asm"
LONG = os.environ.get("PYEBPF_LONG") == "1"


# --- one instruction per row of the table -------------------------------------------------


def _sample(spec: OpSpec, src: int | None = None) -> Instruction:
    """An instruction of row ``spec`` with every free field nonzero."""
    fields = {"dst": 3, "src": 4, "off": -8, "imm": 0x1234}
    if spec.form is Form.LDDW:
        fields.update(src=0, imm=0x1122334455667788)
    if spec.form is Form.CALL:
        fields["src"] = 0
    if spec.form in (Form.LDABS, Form.LDIND):
        fields["dst"] = 0
    if src is not None:
        fields["src"] = src
    for name in spec.zero:
        fields[name] = 0
    if spec.variant is not None:
        fields[spec.variant[0]] = spec.variant[1]
    return Instruction(spec.code, **fields)


ROW_CASES = [(s, None) for s in isa.SPECS]
ROW_CASES += [(s, src) for s in isa.SPECS if s.form is Form.LDDW for src in asm.PSEUDO_NAMES]
ROW_CASES += [(s, src) for s in isa.SPECS if s.form is Form.CALL
              for src in (isa.BPF_PSEUDO_CALL, isa.BPF_PSEUDO_KFUNC_CALL)]
ROW_IDS = [s.ident + ("" if src is None else f"-src{src}") for s, src in ROW_CASES]


@pytest.mark.parametrize("syntax", asm.SYNTAXES)
@pytest.mark.parametrize(("spec", "src"), ROW_CASES, ids=ROW_IDS)
def test_every_row_round_trips(spec: OpSpec, src: int | None, syntax: str) -> None:
    insn = _sample(spec, src)
    assert insn.spec is spec
    text = asm.format_insn(insn, syntax, exact=True)
    (back,) = asm.assemble(text, syntax)
    assert back == insn, text
    assert back.spec is spec
    assert asm.format_insn(back, syntax, exact=True) == text
    if syntax == "conformance" and spec.form is not Form.CALLX and not text.startswith("call "):
        # The conformance syntax spells each row with the table's own mnemonic.
        assert text == spec.mnemonic or text.startswith(spec.mnemonic + " ")


def test_llvm_call_prints_like_objdump_unless_exact() -> None:
    (spec,) = isa.BY_MNEMONIC["call"]
    local = _sample(spec, isa.BPF_PSEUDO_CALL)
    assert asm.format_insn(local, "llvm") == "call 4660"
    assert asm.format_insn(local, "llvm", exact=True) == "call pc+4660"
    kfunc = _sample(spec, isa.BPF_PSEUDO_KFUNC_CALL)
    assert asm.format_insn(kfunc, "llvm", exact=True) == "call kfunc#4660"
    assert asm.format_insn(local, "conformance") == "call local +4660"
    assert asm.format_insn(kfunc, "conformance") == "call runtime 0x1234"


# --- references: llvm-mc's encodings ---------------------------------------------------------

LLVM_MC = [
    ("r0 = *(u32 *)(r1 + 4)", "61 10 04 00 00 00 00 00"),
    ("r0 = *(u8 *)(r1 - 4)", "71 10 fc ff 00 00 00 00"),
    ("r0 = *(s16 *)(r1 + 4)", "89 10 04 00 00 00 00 00"),
    ("*(u64 *)(r10 - 8) = r1", "7b 1a f8 ff 00 00 00 00"),
    ("*(u8 *)(r10 - 8) = 5", "72 0a f8 ff 05 00 00 00"),
    ("*(u64 *)(r10 - 8) = -5", "7a 0a f8 ff fb ff ff ff"),
    ("w0 += 1", "04 00 00 00 01 00 00 00"),
    ("w0 += w1", "0c 10 00 00 00 00 00 00"),
    ("r0 s/= r1", "3f 10 01 00 00 00 00 00"),
    ("r0 s%= r1", "9f 10 01 00 00 00 00 00"),
    ("w0 s%= 0x3", "94 00 01 00 03 00 00 00"),
    ("r1 <<= 32", "67 01 00 00 20 00 00 00"),
    ("w1 s>>= 3", "c4 01 00 00 03 00 00 00"),
    ("w0 = -1", "b4 00 00 00 ff ff ff ff"),
    ("r0 = -r0", "87 00 00 00 00 00 00 00"),
    ("w0 = -w0", "84 00 00 00 00 00 00 00"),
    ("r0 = be16 r0", "dc 00 00 00 10 00 00 00"),
    ("r0 = le64 r0", "d4 00 00 00 40 00 00 00"),
    ("r0 = bswap32 r0", "d7 00 00 00 20 00 00 00"),
    ("r1 = (s8)r2", "bf 21 08 00 00 00 00 00"),
    ("w1 = (s16)w2", "bc 21 10 00 00 00 00 00"),
    ("if r1 > 0x5 goto +3", "25 01 03 00 05 00 00 00"),
    ("if w1 s< w2 goto -7", "ce 21 f9 ff 00 00 00 00"),
    ("if w1 & 3 goto +1", "46 01 01 00 03 00 00 00"),
    ("if r1 == -1 goto +0", "15 01 00 00 ff ff ff ff"),
    ("goto +2", "05 00 02 00 00 00 00 00"),
    ("gotol +5", "06 00 00 00 05 00 00 00"),
    ("call 1", "85 00 00 00 01 00 00 00"),
    ("callx r2", "8d 02 00 00 00 00 00 00"),
    ("exit", "95 00 00 00 00 00 00 00"),
    ("lock *(u64 *)(r1 + 0) += r2", "db 21 00 00 00 00 00 00"),
    ("lock *(u32 *)(r1 - 2) += r2", "c3 21 fe ff 00 00 00 00"),
    ("lock *(u64 *)(r1 + 0) ^= r2", "db 21 00 00 a0 00 00 00"),
    ("r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)", "db 01 00 00 01 00 00 00"),
    ("w0 = atomic_fetch_add((u32 *)(r1 + 0), w0)", "c3 01 00 00 01 00 00 00"),
    ("r0 = atomic_fetch_and((u64 *)(r1 - 8), r0)", "db 01 f8 ff 51 00 00 00"),
    ("r0 = xchg_64(r1 - 8, r0)", "db 01 f8 ff e1 00 00 00"),
    ("w0 = xchg32_32(r1 + 0, w0)", "c3 01 00 00 e1 00 00 00"),
    ("r0 = cmpxchg_64(r1 - 8, r0, r2)", "db 21 f8 ff f1 00 00 00"),
    ("w0 = cmpxchg32_32(r1 + 0, w0, w2)", "c3 21 00 00 f1 00 00 00"),
    ("r0 = 0x1122334455667788 ll", "18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11"),
    ("r0 = -1 ll", "18 00 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff"),
    ("r0 = *(u8 *)skb[4]", "30 00 00 00 04 00 00 00"),
    ("r0 = *(u16 *)skb[r1]", "48 10 00 00 00 00 00 00"),
]


@pytest.mark.parametrize(("text", "hexbytes"), LLVM_MC, ids=[t for t, _ in LLVM_MC])
def test_llvm_mc_encodings(text: str, hexbytes: str) -> None:
    code = bytes.fromhex(hexbytes)
    assert asm.assemble_bytes(text, "llvm") == code
    # Through the conformance syntax and back, the same bytes.
    conf = asm.disassemble(code, "conformance")
    assert asm.assemble_bytes(conf, "conformance") == code


CONFORMANCE_EXAMPLES = [
    ("mov %r0, 1", "b7 00 00 00 01 00 00 00"),
    ("add32 %r1, %r2", "0c 21 00 00 00 00 00 00"),
    ("ldxw %r0, [%r1+4]", "61 10 04 00 00 00 00 00"),
    ("stxdw [%r10-8], %r1", "7b 1a f8 ff 00 00 00 00"),
    ("stw [%r1+2], 5", "62 01 02 00 05 00 00 00"),
    ("lddw %r0, 0x1122334455667788", "18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11"),
    ("jne %r0, %r1, +3", "5d 10 03 00 00 00 00 00"),
    ("ja32 -2", "06 00 00 00 fe ff ff ff"),
    ("call 5", "85 00 00 00 05 00 00 00"),
    ("call local +2", "85 10 00 00 02 00 00 00"),
    ("call %r2", "8d 02 00 00 00 00 00 00"),
    ("callx %r2", "8d 02 00 00 00 00 00 00"),
    ("lock add [%r1+0], %r2", "db 21 00 00 00 00 00 00"),
    ("lock fetch add32 [%r1], %r2", "c3 21 00 00 01 00 00 00"),
    ("lock xchg [%r10-8], %r1", "db 1a f8 ff e1 00 00 00"),
    ("lock cmpxchg32 [%r10-8], %r1", "c3 1a f8 ff f1 00 00 00"),
    ("be16 %r0", "dc 00 00 00 10 00 00 00"),
    ("le32 %r0", "d4 00 00 00 20 00 00 00"),
    ("swap16 %r0", "d7 00 00 00 10 00 00 00"),
    ("bswap64 %r0", "d7 00 00 00 40 00 00 00"),
    ("movsx832 %r2, %r1", "bc 12 08 00 00 00 00 00"),
    ("sdiv %r0, %r1", "3f 10 01 00 00 00 00 00"),
    ("smod32 %r0, 3", "94 00 01 00 03 00 00 00"),
    ("ldxsb %r0, [%r10-1]", "91 a0 ff ff 00 00 00 00"),
    ("neg %r0", "87 00 00 00 00 00 00 00"),
    ("mov32 %r0, 0xffffffff", "b4 00 00 00 ff ff ff ff"),
    ("exit", "95 00 00 00 00 00 00 00"),
]


@pytest.mark.parametrize(("text", "hexbytes"), CONFORMANCE_EXAMPLES,
                         ids=[t for t, _ in CONFORMANCE_EXAMPLES])
def test_conformance_syntax_encodings(text: str, hexbytes: str) -> None:
    assert asm.assemble_bytes(text) == bytes.fromhex(hexbytes)


def test_labels_comments_and_the_exit_label() -> None:
    text = """
    # a comment line
    mov %r0, 0            # trailing comment
    jeq %r1, 0, exit
    lddw %r2, 1
    loop: add %r0, 1
    jlt %r0, %r2, loop
    call local func
    ja exit
    func:
    exit
    """
    insns = asm.assemble(text)
    assert [i.pc for i in insns] == [0, 1, 2, 4, 5, 6, 7, 8]
    # Offsets count from the next slot; "exit" names the first exit (slot 8).
    assert insns[1].off == 8 - 1 - 1
    assert insns[4].off == 4 - 5 - 1
    assert (insns[5].src, insns[5].imm) == (isa.BPF_PSEUDO_CALL, 8 - 6 - 1)
    assert insns[6].off == 8 - 7 - 1


def test_llvm_labels_objdump_annotations_and_kernel_spellings() -> None:
    text = """
    LBB0_1:
        r0 += 1
        if r0 < 10 goto LBB0_1
        if r1 > 0x5 goto +1 <LBB0_2>
        goto pc-3
        r0 = *(u32 *)(r1 +4)
        call bpf_map_lookup_elem#1
        r0 = atomic64_fetch_add((u64 *)(r1 +0), r0)
        r0 = atomic64_cmpxchg((u64 *)(r1 -8), r0, r2)
        w0 = atomic_xchg((u32 *)(r1 +0), w0)
        call pc+2
        exit
    """
    expected = asm.assemble("""
        add %r0, 1
        jlt %r0, 10, -2
        jgt %r1, 5, +1
        ja -3
        ldxw %r0, [%r1+4]
        call 1
        lock fetch add [%r1], %r0
        lock cmpxchg [%r1-8], %r2
        lock xchg32 [%r1], %r0
        call local +2
        exit
    """)
    assert asm.assemble(text, "llvm") == expected


def test_kernel_verifier_log_lines() -> None:
    log = """
    0: (b7) r0 = 0                        ; R0_w=0
    1: (61) r2 = *(u32 *)(r1 +4)          ; R1=ctx() R2_w=pkt_end()
    2: (c3) r0 = atomic_fetch_add((u32 *)(r10 -8), r0)
    3: (db) r0 = atomic64_xchg((u64 *)(r10 -8), r0)
    4: (c3) r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r2)
    5: (85) call bpf_ktime_get_ns#5
    6: (95) exit
    """
    assert asm.disassemble(asm.assemble(log, "llvm")) == (
        "mov %r0, 0\nldxw %r2, [%r1+4]\nlock fetch add32 [%r10-8], %r0\n"
        "lock xchg [%r10-8], %r0\nlock cmpxchg32 [%r10-8], %r2\ncall 5\nexit\n")


def test_disassembly_text() -> None:
    code = asm.assemble_bytes("""
        ldxdw %r0, [%r1-16]
        jsgt32 %r0, -5, +2
        lddw %r1, map_fd 7
        exit
    """)
    assert asm.disassemble(code) == (
        "ldxdw %r0, [%r1-16]\njsgt32 %r0, -5, +2\nlddw %r1, map_fd 7\nexit\n")
    assert asm.disassemble(code, "llvm") == (
        "r0 = *(u64 *)(r1 - 16)\nif w0 s> -5 goto +2\nld_pseudo r1, 1, 7\nexit\n")


# --- errors ---------------------------------------------------------------------------------

ASM_ERRORS = [
    ("conformance", "mov %r0, 1\nfoo %r1, 2", 2, "unknown mnemonic"),
    ("conformance", "mov %r16, 1", 1, "invalid register"),
    ("conformance", "mov %r0", 1, "takes 2 operands"),
    ("conformance", "exit %r0", 1, "takes 0 operands"),
    ("conformance", "ja nowhere\nexit", 1, "undefined label"),
    ("conformance", "a:\na:\nexit", 2, "duplicate label"),
    ("conformance", "mov %r0, 0x100000000", 1, "does not fit in 32 bits"),
    ("conformance", "ldxw %r0, [%r1+40000]", 1, "does not fit in 16 bits"),
    ("conformance", "ldxw %r0, %r1", 1, "invalid memory operand"),
    ("conformance", "jeq %r0, 1, 7", 1, "invalid jump target"),
    ("conformance", "call local %r1", 1, "only a helper call can take a register"),
    ("conformance", "call far 5", 1, "call takes"),
    ("conformance", "lddw %r0, bogus 5", 1, "invalid lddw operand"),
    ("conformance", "mov %r0, 12abc", 1, "invalid number"),
    ("llvm", "r0 += 1\nr0 = r1 + r2", 2, "cannot parse"),
    ("llvm", "w0 += r1", 1, "does not match a 32-bit"),
    ("llvm", "r0 = -r1", 1, "negates a register in place"),
    ("llvm", "r1 = be16 r2", 1, "converts a register in place"),
    ("llvm", "r1 = atomic_fetch_add((u64 *)(r2 + 0), r3)", 1, "must be the same register"),
    ("llvm", "r1 = cmpxchg_64(r2 + 0, r0, r3)", 1, "writes r0"),
    ("llvm", "*(s8 *)(r1 + 0) = r2", 1, "no signed size"),
    ("llvm", "r0 = 0x10000000000000000 ll", 1, "does not fit in 64 bits"),
    ("llvm", "w0 = (s32)w1", 1, "no 32-bit movsx"),
    ("llvm", "goto +40000", 1, "does not fit in 16 bits"),
]


@pytest.mark.parametrize(("syntax", "text", "line", "reason"), ASM_ERRORS,
                         ids=[f"{s}:{r}" for s, _, _, r in ASM_ERRORS])
def test_assembler_errors(syntax: str, text: str, line: int, reason: str) -> None:
    with pytest.raises(AsmError) as info:
        asm.assemble(text, syntax)
    assert info.value.line == line
    assert reason in info.value.reason
    assert f"line {line}: {info.value.reason}" in str(info.value)
    assert isinstance(info.value, LoadError) and info.value.errno == 22


def test_label_out_of_jump_range() -> None:
    text = "ja far\n" + "mov %r0, 0\n" * 40000 + "far:\nexit\n"
    with pytest.raises(AsmError, match="out of range"):
        asm.assemble(text)
    assert asm.assemble(text.replace("ja far", "ja32 far"))[0].imm == 40000


DISASM_ERRORS = [
    ("ff 00 00 00 00 00 00 00", "no instruction has opcode 0xff"),
    ("0f 10 00 00 05 00 00 00", "reserved field imm"),
    ("3f 10 02 00 00 00 00 00", "opcode 0x3f with off 2"),
    ("18 70 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "invalid pseudo source 7"),
    ("85 30 00 00 01 00 00 00", "call has invalid source 3"),
]


@pytest.mark.parametrize("syntax", asm.SYNTAXES)
@pytest.mark.parametrize(("hexbytes", "reason"), DISASM_ERRORS, ids=[r for _, r in DISASM_ERRORS])
def test_disassembler_refuses_what_text_cannot_hold(hexbytes: str, reason: str,
                                                    syntax: str) -> None:
    code = bytes.fromhex("b7 00 00 00 00 00 00 00" + hexbytes)
    with pytest.raises(AsmError) as info:
        asm.disassemble(code, syntax)
    assert info.value.pc == 1
    assert reason in str(info.value)


def test_unknown_syntax() -> None:
    with pytest.raises(ValueError, match="unknown syntax"):
        asm.assemble("exit", "intel")


def test_llvm_operators_cover_the_table() -> None:
    ops = {(s.form, s.op) for s in isa.SPECS}
    for form, op in ops:
        if form in (Form.ALU_REG, Form.ALU_IMM):
            assert op in asm.LLVM_ALU_OPERATORS
        if form in (Form.JCOND_REG, Form.JCOND_IMM):
            assert op in asm.LLVM_JMP_OPERATORS


# --- hypothesis round trips ------------------------------------------------------------------


@st.composite
def instructions(draw: st.DrawFn) -> Instruction:
    spec = draw(st.sampled_from(isa.SPECS))
    fields = {
        "dst": draw(st.integers(0, 10)),
        "src": draw(st.integers(0, 10)),
        "off": draw(st.integers(-(1 << 15), (1 << 15) - 1)),
        "imm": draw(st.integers(-(1 << 31), (1 << 31) - 1)),
    }
    if spec.form is Form.LDDW:
        fields["imm"] = draw(st.integers(0, (1 << 64) - 1))
        fields["src"] = draw(st.sampled_from([0, *asm.PSEUDO_NAMES]))
    if spec.form is Form.CALL:
        fields["src"] = draw(st.sampled_from([0, isa.BPF_PSEUDO_CALL, isa.BPF_PSEUDO_KFUNC_CALL]))
    if spec.form in (Form.LDABS, Form.LDIND):
        fields["dst"] = 0
    for name in spec.zero:
        fields[name] = 0
    if spec.variant is not None:
        fields[spec.variant[0]] = spec.variant[1]
    return Instruction(spec.code, **fields)


@pytest.mark.parametrize("syntax", asm.SYNTAXES)
@settings(max_examples=2000 if LONG else 300, deadline=None)
@given(program=st.lists(instructions(), min_size=1, max_size=12))
def test_hypothesis_bytes_text_bytes(program: list[Instruction], syntax: str) -> None:
    code = isa.encode(program)
    text = asm.disassemble(code, syntax, exact=True)
    back = asm.assemble_bytes(text, syntax)
    assert back == code
    assert asm.disassemble(back, syntax, exact=True) == text
    # Without exact, the llvm syntax loses only a CALL's src (as llvm-objdump does).
    plain = asm.assemble(asm.disassemble(code, syntax), syntax)
    for a, b in zip(isa.decode(code), plain, strict=True):
        if a.spec is not None and a.spec.form is Form.CALL:
            a = Instruction(a.code, a.dst, 0 if syntax == "llvm" else a.src, a.off, a.imm, a.pc)
        assert a == b


# --- llvm-objdump on clang-compiled objects ---------------------------------------------------


def elf_code_sections(data: bytes) -> dict[str, bytes]:
    """Executable sections of a little-endian ELF64 object (a minimal reader for the test)."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shnum, shstrndx = struct.unpack_from("<HH", data, 0x3C)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + 64 * i) for i in range(shnum)]
    strtab = headers[shstrndx][4]

    def name(offset: int) -> str:
        start = strtab + offset
        return data[start:data.index(b"\0", start)].decode()

    SHF_EXECINSTR, SHT_PROGBITS = 0x4, 1  # noqa: N806 - ELF constants
    return {name(h[0]): data[h[4]:h[4] + h[5]] for h in headers
            if h[1] == SHT_PROGBITS and h[2] & SHF_EXECINSTR and h[5]}


def parse_objdump(text: str) -> dict[str, list[tuple[int, bytes, str]]]:
    """``llvm-objdump -d`` text as {section: [(slot, raw bytes, instruction text)]}."""
    out: dict[str, list[tuple[int, bytes, str]]] = {}
    current: list[tuple[int, bytes, str]] = []
    for line in text.splitlines():
        m = re.match(r"Disassembly of section (.*):$", line)
        if m:
            current = out.setdefault(m.group(1), [])
            continue
        m = re.match(r"\s*(\d+):\t([0-9a-f ]+)\t(.*)$", line)
        if m:
            current.append((int(m.group(1)), bytes.fromhex(m.group(2)), m.group(3)))
    return out


def _canonical(text: str, numbers: bool) -> str:
    text = re.sub(r"\s*<[^<>]*>$", "", text.strip())
    text = " ".join(text.split())
    if numbers:  # llvm 19 prints hexadecimal; compare values, as unsigned 64-bit
        text = re.sub(r"(?<![\w])[+-]?(0x[0-9a-f]+|\d+)",
                      lambda m: str(int(m.group(0), 0) % (1 << 64)), text)
    return text


OBJECTS = sorted(DATA.glob("*.v[1-4].o"))


def test_objects_are_present() -> None:
    assert len(OBJECTS) == 12, "run tests/data/asm/build.sh"


@pytest.mark.parametrize("obj", OBJECTS, ids=[p.stem for p in OBJECTS])
def test_disassembly_matches_llvm_objdump(obj: Path) -> None:
    cpu = obj.stem.rsplit(".", 1)[1]
    expected = parse_objdump(obj.with_suffix(".objdump").read_text())
    sections = elf_code_sections(obj.read_bytes())
    assert set(sections) == set(expected)
    compared = 0
    for name, code in sections.items():
        insns = isa.decode(code)
        want = expected[name]
        assert [i.pc for i in insns] == [pc for pc, _, _ in want]
        for insn, (pc, raw, text) in zip(insns, want, strict=True):
            ours = asm.format_insn(insn, "llvm")
            assert raw == code[pc * 8:pc * 8 + len(raw)]
            if text == "<unknown>":
                # llvm cannot print it (32-bit cmpxchg): ours must at least reassemble.
                assert asm.assemble_bytes(ours, "llvm") == raw, ours
                continue
            hexadecimal = cpu == "v4"
            assert _canonical(ours, hexadecimal) == _canonical(text, hexadecimal), \
                f"{name}+{pc}: {ours!r} vs objdump {text!r}"
            compared += 1
        # The whole section also survives text and back.
        assert asm.assemble_bytes(asm.disassemble(code, "llvm", exact=True), "llvm") == code
    assert compared > 0
