"""Disassembly of JIT-compiled programs (``pyebpf disasm --jited``, bpftool's ``dump jited``).

capstone (the optional ``disasm`` extra) decodes the x86-64 bytes when it is installed;
otherwise binutils' ``objdump -D -b binary -mi386:x86-64`` does.  Either way each row is
(offset, bytes, text) in AT&T-free Intel syntax, as ``bpftool prog dump jited`` prints.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile


def disassemble(code: bytes) -> list[tuple[int, bytes, str]]:
    """Rows of (offset, instruction bytes, "mnemonic operands") for x86-64 ``code``."""
    try:
        import capstone
    except ImportError:
        return _objdump(code)
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    rows = []
    end = 0
    for insn in md.disasm(code, 0):
        rows.append((insn.address, bytes(insn.bytes), f"{insn.mnemonic} {insn.op_str}".strip()))
        end = insn.address + insn.size
    if end < len(code):
        rows.append((end, code[end:], "(bad)"))
    return rows


_OBJDUMP_ROW = re.compile(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$")


def _objdump(code: bytes) -> list[tuple[int, bytes, str]]:
    tool = shutil.which("objdump") or shutil.which("llvm-objdump-19")
    if tool is None:
        raise RuntimeError("no x86-64 disassembler: pip install capstone (or binutils)")
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        f.write(code)
    try:
        out = subprocess.run([tool, "-D", "-b", "binary", "-mi386:x86-64", "-Mintel", f.name],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    rows: list[tuple[int, bytes, str]] = []
    for line in out.splitlines():
        m = _OBJDUMP_ROW.match(line)
        if m is None:
            continue
        raw = bytes.fromhex(m.group(2).replace(" ", ""))
        if not m.group(3) and rows:   # objdump continues long encodings on a second line
            off, prev, text = rows[-1]
            rows[-1] = (off, prev + raw, text)
            continue
        rows.append((int(m.group(1), 16), raw, " ".join(m.group(3).split())))
    return rows


def format_rows(rows: list[tuple[int, bytes, str]]) -> list[str]:
    """objdump-like lines: offset, bytes, instruction."""
    return [f"{off:5x}:\t{raw.hex(' '):<30}\t{text}" for off, raw, text in rows]
