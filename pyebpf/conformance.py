"""The bpf_conformance suite: its ``*.data`` test format and its plugin contract.

The public runner (https://github.com/Alan-Jowett/bpf_conformance) starts a
plugin once per test: argv[1], when present and not starting with ``--``, is
the input memory as whitespace-separated hex bytes; stdin is the program as
whitespace-separated hex bytes (8 per instruction), or an ELF object with
``--elf``.  The plugin prints r0 as 64-bit hex and exits 0, or prints one line
and exits 1 when the program fails to load or run.  The program starts with
r1 = the memory (0 when there is none) and r2 = its length; helper 5 returns
its r1 and, when that is 0, ends the program with r0 = 0.

:func:`run_program` is the one code path: :func:`plugin_main` (the
``pyebpf-conformance-plugin`` console script) and the pytest module both use it.
"""

from __future__ import annotations

import argparse
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pyebpf.errors import BPFError, LoadError, ProgramExit

UNWIND_HELPER = 5
"""The only helper the suite calls (``call_unwind_fail``, ``callx``)."""


@dataclass
class ConformanceCase:
    """One ``*.data`` file: its sections, parsed.

    ``raw`` is the program given as 64-bit words (``-- raw``), ``asm`` its
    assembly (``-- asm``); ``result`` the expected r0, ``error`` the expected
    error text (None when a result is expected).  Unknown sections (``-- c``,
    ``-- no register offset``, ...) are kept in ``other``.
    """

    name: str
    asm: str | None = None
    raw: bytes | None = None
    mem: bytes = b""
    result: int | None = None
    error: str | None = None
    other: dict[str, str] = field(default_factory=dict)

    def program(self) -> bytes:
        """The program's bytes: ``-- raw`` when given, else the assembled ``-- asm``."""
        if self.raw is not None:
            return self.raw
        if self.asm is None:
            raise LoadError(f"{self.name}: the test has neither an asm nor a raw section")
        from pyebpf.asm import assemble_bytes

        return assemble_bytes(self.asm, "conformance")


def parse_hex_bytes(text: str) -> bytes:
    """Whitespace-separated hex bytes ("00 01 ff"), as the plugin contract passes them."""
    try:
        return bytes(int(tok, 16) for tok in text.split())
    except ValueError:
        raise ValueError(f"invalid hex byte list: {text.strip()[:60]!r}") from None


def parse_data(text: str, name: str = "<data>") -> ConformanceCase:
    """Parse the ``*.data`` format: ``-- section`` headers, ``#`` comment lines."""
    case = ConformanceCase(name=name)
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        m = re.fullmatch(r"--\s+(.*?)\s*", line)
        if m:
            current = sections.setdefault(m.group(1), [])
            continue
        if current is not None:
            current.append(line)
    for title, lines in sections.items():
        body = "\n".join(lines)
        # Comment lines are part of asm sections (the assembler skips them);
        # elsewhere they are dropped.
        plain = "\n".join(x for x in lines if not x.lstrip().startswith("#"))
        if title == "asm":
            case.asm = body
        elif title == "raw":
            words = [int(w, 16) for w in plain.split()]
            case.raw = b"".join(struct.pack("<Q", w & (2**64 - 1)) for w in words)
        elif title == "mem":
            case.mem = parse_hex_bytes(plain)
        elif title == "result":
            case.result = int(plain.strip(), 0) & (2**64 - 1)
        elif title == "error":
            case.error = plain.strip()
        else:
            case.other[title] = body
    return case


def load_case(path: str | Path) -> ConformanceCase:
    path = Path(path)
    return parse_data(path.read_text(), name=path.stem)


def _unwind(vm: object, r1: int, r2: int, r3: int, r4: int, r5: int) -> int:
    if r1 == 0:
        raise ProgramExit(0)
    return r1


def run_program(code: bytes, memory: bytes = b"") -> int:
    """Load ``code`` (raw instructions) and run it as the suite's plugins do; return r0.

    Raises :class:`pyebpf.errors.BPFError` subclasses (LoadError,
    ExecutionError, ...) when the program does not load or faults.
    """
    from pyebpf import VM, Executable, address_of

    prog = Executable(code, cpu="probe")
    vm = VM()
    vm.set_helper(UNWIND_HELPER, _unwind)
    if memory:
        buf = bytearray(memory)
        return vm.run(prog, address_of(buf), len(buf), memory=(buf,))
    return vm.run(prog, 0, 0)


@dataclass
class Outcome:
    """What a run produced: r0, or the one-line error the plugin prints."""

    r0: int | None = None
    error: str | None = None


def run_case(case: ConformanceCase) -> Outcome:
    """Run a case through :func:`run_program`; errors become ``Outcome.error``."""
    try:
        return Outcome(r0=run_program(case.program(), case.mem))
    except BPFError as exc:
        return Outcome(error=_one_line(exc))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"


# --- a minimal ELF64 reader for --elf ------------------------------------------------

_CODE_SECTIONS = (".text", "xdp")


def program_from_elf(data: bytes, symbol: str = "main") -> bytes:
    """The instructions of function ``symbol`` in a little-endian ELF64 relocatable object.

    The runner's ``--elf`` objects hold one function in ``.text`` or ``xdp``.
    Without a symbol of that name, the first of those sections is taken whole.
    Raises :class:`LoadError` for anything that is not such an object.
    """
    try:
        return _program_from_elf(data, symbol)
    except (struct.error, IndexError, UnicodeDecodeError) as exc:
        raise LoadError(f"malformed ELF object: {exc}") from None


def _program_from_elf(data: bytes, symbol: str) -> bytes:
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise LoadError("not a little-endian ELF64 object")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    if shentsize != 64 or shnum == 0 or shoff + shnum * 64 > len(data):
        raise LoadError("ELF section header table is missing or truncated")
    sections = []
    for i in range(shnum):
        name, stype, _flags, _addr, off, size, link, _info, _align, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", data, shoff + i * 64)
        if stype != 8 and off + size > len(data):  # SHT_NOBITS has no file bytes
            raise LoadError(f"ELF section {i} lies outside the file")
        sections.append((name, stype, off, size, link, entsize))

    def cstr(table: int, offset: int) -> str:
        _, _, base, size, _, _ = sections[table]
        end = data.index(b"\0", base + offset, base + size)
        return data[base + offset:end].decode()

    names = [cstr(shstrndx, s[0]) for s in sections]
    for _, stype, off, size, link, entsize in sections:
        if stype != 2 or entsize != 24:  # SHT_SYMTAB
            continue
        for pos in range(off, off + size, 24):
            st_name, _info, _other, st_shndx, value, sym_size = struct.unpack_from(
                "<IBBHQQ", data, pos)
            if st_name and cstr(link, st_name) == symbol and 0 < st_shndx < len(sections):
                _, _, sec_off, sec_size, _, _ = sections[st_shndx]
                if value > sec_size:
                    raise LoadError(f"symbol {symbol!r} lies outside its section")
                size_left = sec_size - value
                take = sym_size if 0 < sym_size <= size_left else size_left
                return data[sec_off + value:sec_off + value + take]
    for wanted in _CODE_SECTIONS:
        if wanted in names:
            _, _, off, size, _, _ = sections[names.index(wanted)]
            return data[off:off + size]
    raise LoadError(f"no symbol {symbol!r} and no {' or '.join(_CODE_SECTIONS)} section")


# --- the plugin -------------------------------------------------------------------------


def plugin_main(argv: Sequence[str] | None = None, stdin: IO[bytes] | None = None,
                stdout: IO[str] | None = None) -> int:
    """The ``pyebpf-conformance-plugin`` entry point; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    stdin = sys.stdin.buffer if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    args = [a for a in argv if a.strip()]
    memory_text = ""
    if args and not args[0].lstrip().startswith("--"):
        memory_text = args.pop(0)
    # The runner passes its plugin options as one argument ("--elf --debug").
    args = [word for a in args for word in a.split()]
    parser = argparse.ArgumentParser(prog="pyebpf-conformance-plugin",
                                     description="bpf_conformance plugin for pyebpf")
    parser.add_argument("--elf", action="store_true", help="stdin is an ELF object")
    parser.add_argument("--debug", action="store_true", help="print the program to stderr")
    try:
        opts = parser.parse_args(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        memory = parse_hex_bytes(memory_text)
        data = stdin.read()
        if opts.elf:
            code = program_from_elf(data)
        else:
            code = parse_hex_bytes(data.decode("ascii", "replace"))
        if opts.debug:
            _debug(code)
        r0 = run_program(code, memory)
    except (BPFError, ValueError) as exc:
        print(_one_line(exc), file=stdout)
        return 1
    print(f"{r0:016x}", file=stdout)
    return 0


def _debug(code: bytes) -> None:
    from pyebpf.asm import disassemble

    try:
        text = disassemble(code, "conformance")
    except BPFError as exc:
        text = f"(cannot disassemble: {exc})\n"
    sys.stderr.write(text)


def _console() -> None:
    sys.exit(plugin_main())


if __name__ == "__main__":
    _console()
