"""The bpf_conformance suite (https://github.com/Alan-Jowett/bpf_conformance), every file.

Each ``*.data`` file of ``../shared/conformance`` (``PYEBPF_CONFORMANCE_DIR``
overrides) is one test id, run in-process through
:func:`pyebpf.conformance.run_program`, the code path of the
``pyebpf-conformance-plugin`` script.  A few tests run the script itself the way
the public runner does (memory in argv[1], the program as hex on stdin).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from pyebpf import asm, conformance, isa
from pyebpf.errors import LoadError

# every test runs on the interpreter and on the JIT (tests/conftest.py: engine)
pytestmark = pytest.mark.usefixtures("engine")

CONFORMANCE_DIR = Path(os.environ.get(
    "PYEBPF_CONFORMANCE_DIR",
    Path(__file__).resolve().parents[2] / "shared" / "conformance"))
DATA_FILES = sorted(CONFORMANCE_DIR.glob("*.data"))
EXPECTED_FILES = 313  # the suite at commit f558566 (see SOURCE.md next to the files)


def test_the_whole_suite_is_present() -> None:
    if "PYEBPF_CONFORMANCE_DIR" in os.environ:
        pytest.skip("a different conformance directory was given")
    assert len(DATA_FILES) == EXPECTED_FILES, CONFORMANCE_DIR


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.stem for p in DATA_FILES])
def test_conformance(path: Path) -> None:
    case = conformance.load_case(path)
    outcome = conformance.run_case(case)
    if case.error is not None:
        # The runner compares the plugin's message with the file's text; messages
        # are each runtime's own, so what must hold here is that the run fails.
        assert outcome.error is not None, f"expected error {case.error!r}, got r0={outcome.r0:#x}"
        return
    assert outcome.error is None, outcome.error
    assert case.result is not None, "the file has neither a result nor an error"
    assert outcome.r0 == case.result, f"r0 = {outcome.r0:#x}, expected {case.result:#x}"


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.stem for p in DATA_FILES])
def test_conformance_asm_round_trip(path: Path) -> None:
    """``-- raw`` equals the assembled ``-- asm``; disassembly reassembles to the same bytes."""
    case = conformance.load_case(path)
    assert case.asm is not None
    code = asm.assemble_bytes(case.asm, "conformance")
    if case.raw is not None:
        assert code == case.raw
    for syntax in asm.SYNTAXES:
        text = asm.disassemble(code, syntax, exact=True)
        assert asm.assemble_bytes(text, syntax) == code
        assert asm.disassemble(asm.assemble_bytes(text, syntax), syntax, exact=True) == text


# --- the .data parser ---------------------------------------------------------------------

SAMPLE = """\
# Copyright line
-- asm
mov %r0, %r2   # the length
exit
-- raw
0x00000000000020bf
0x0000000000000095
-- mem
00 01
02
-- no register offset
call instruction
-- result
0x3
"""


def test_parse_data_sections() -> None:
    case = conformance.parse_data(SAMPLE, "sample")
    assert case.mem == b"\x00\x01\x02"
    assert case.result == 3
    assert case.error is None
    assert case.raw == struct.pack("<QQ", 0x20BF, 0x95)
    assert case.other == {"no register offset": "call instruction"}
    assert case.program() == case.raw
    assert conformance.run_case(case).r0 == 3


def test_parse_data_error_section() -> None:
    case = conformance.parse_data("-- asm\nmov %r0, 1\n-- error\nlast insn is not an exit or jmp\n")
    assert case.error == "last insn is not an exit or jmp"
    assert case.result is None
    outcome = conformance.run_case(case)
    assert outcome.r0 is None and "last insn is not an exit or jmp" in outcome.error


def test_case_without_program_is_an_error() -> None:
    with pytest.raises(LoadError):
        conformance.parse_data("-- result\n0x1\n").program()


def test_memory_is_writable_and_passed_with_its_length() -> None:
    code = asm.assemble_bytes("stb [%r1+1], 7\nldxb %r0, [%r1+1]\nadd %r0, %r2\nexit")
    assert conformance.run_program(code, b"\x00\x00\x00") == 7 + 3


def test_without_memory_r1_and_r2_are_zero() -> None:
    code = asm.assemble_bytes("mov %r0, %r1\nor %r0, %r2\nexit")
    assert conformance.run_program(code) == 0


def test_helper_5_ends_the_program_when_r1_is_zero() -> None:
    code = asm.assemble_bytes("mov %r1, 0\ncall 5\nmov %r0, 2\nexit")
    assert conformance.run_program(code) == 0
    code = asm.assemble_bytes("mov %r1, 9\ncall 5\nexit")
    assert conformance.run_program(code) == 9


# --- ELF input ------------------------------------------------------------------------------


def _elf(section: str, code: bytes, symbol: str = "main") -> bytes:
    """An ELF64 object laid out as the runner's bpf_writer lays it out.

    Sections: null, .symtab (its string table is .shstrtab, as bpf_writer does),
    the code section, .shstrtab.
    """
    names = b"\0.symtab\0" + section.encode() + b"\0.shstrtab\0" + symbol.encode() + b"\0"
    n_symtab, n_code = 1, 9
    n_shstr = n_code + len(section) + 1
    n_sym = n_shstr + len(".shstrtab") + 1
    symtab = bytes(24) + struct.pack("<IBBHQQ", n_sym, 0x12, 0, 2, 0, len(code))
    body = bytearray(64)
    offsets = []
    for blob in (symtab, code, names):
        offsets.append(len(body))
        body += blob
    shoff = len(body)
    headers = bytes(64)
    headers += struct.pack("<IIQQQQIIQQ", n_symtab, 2, 0, 0, offsets[0], len(symtab), 3, 1, 8, 24)
    headers += struct.pack("<IIQQQQIIQQ", n_code, 1, 6, 0, offsets[1], len(code), 0, 0, 8, 0)
    headers += struct.pack("<IIQQQQIIQQ", n_shstr, 3, 0, 0, offsets[2], len(names), 0, 0, 1, 0)
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 1, 247, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 4, 3)
    body[:64] = ehdr
    return bytes(body + headers)


@pytest.mark.parametrize("section", [".text", "xdp"])
def test_program_from_elf(section: str) -> None:
    code = asm.assemble_bytes("mov %r0, 5\nexit")
    assert conformance.program_from_elf(_elf(section, code)) == code


def test_program_from_clang_object() -> None:
    obj = (Path(__file__).parent / "data" / "asm" / "conformance_main.o").read_bytes()
    code = conformance.program_from_elf(obj)
    assert conformance.run_program(code, bytes(range(1, 9))) == sum(range(1, 9))


@pytest.mark.parametrize("blob", [b"", b"\x7fELF", b"\x7fELF\x02\x01" + bytes(58), b"MZ" * 40],
                         ids=["empty", "magic-only", "no-sections", "not-elf"])
def test_bad_elf_is_a_load_error(blob: bytes) -> None:
    with pytest.raises(LoadError):
        conformance.program_from_elf(blob)


# --- the plugin script, as the runner starts it ---------------------------------------------


def _plugin_command() -> list[str]:
    script = shutil.which("pyebpf-conformance-plugin")
    return [script] if script else [sys.executable, "-m", "pyebpf.conformance"]


def _hex(data: bytes) -> str:
    # The runner writes each byte as two hex digits followed by two spaces.
    return "".join(f"{b:02x}  " for b in data)


def _plugin(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*_plugin_command(), *args], input=stdin, capture_output=True,
                          timeout=60, check=False)


def test_plugin_runs_a_suite_file() -> None:
    path = CONFORMANCE_DIR / "subnet.data"
    if not path.exists():
        pytest.skip(f"{path} is not in the conformance directory given")
    case = conformance.load_case(path)
    res = _plugin([_hex(case.mem), ""], (_hex(case.program()) + "\n").encode())
    assert res.returncode == 0, res.stdout + res.stderr
    assert int(res.stdout.decode(), 16) == case.result == 1


def test_plugin_without_memory_prints_64_bit_r0() -> None:
    code = isa.encode(asm.assemble("lddw %r0, 0x1122334455667788\nexit"))
    res = _plugin([], _hex(code).encode())
    assert res.returncode == 0
    assert res.stdout.decode().strip() == "1122334455667788"


def test_plugin_load_error_is_one_line_and_exit_1() -> None:
    res = _plugin(["", "--debug"], b"ff 00 00 00 00 00 00 00\n")
    assert res.returncode == 1
    lines = res.stdout.decode().splitlines()
    assert len(lines) == 1 and "unknown opcode" in lines[0]


def test_plugin_run_error_is_one_line_and_exit_1() -> None:
    code = asm.assemble_bytes("ldxdw %r0, [%r1+0]\nexit")  # r1 = 0: no memory there
    res = _plugin([], _hex(code).encode())
    assert res.returncode == 1
    assert len(res.stdout.decode().splitlines()) == 1


def test_plugin_elf_and_debug() -> None:
    code = asm.assemble_bytes("mov %r0, %r2\nexit")
    res = _plugin([_hex(b"abcd"), "--elf --debug"], _elf("xdp", code))
    assert res.returncode == 0, res.stdout + res.stderr
    assert int(res.stdout, 16) == 4
    assert b"mov %r0, %r2" in res.stderr


def test_plugin_main_in_process() -> None:
    import io

    out = io.StringIO()
    code = asm.assemble_bytes("mov %r0, -1\nexit")
    status = conformance.plugin_main(["", ""], io.BytesIO(_hex(code).encode()), out)
    assert status == 0 and out.getvalue() == "ffffffffffffffff\n"
