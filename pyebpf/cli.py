"""The ``pyebpf`` command: inspect, verify, disassemble and assemble BPF programs.

Subcommands follow bpftool's names and output where they exist, with ``-j/--json``
for machine-readable output.  User mistakes (a missing file, a bad object, an
unknown program name, a program the verifier refuses) print one line and exit
non-zero; a traceback means a bug in pyebpf.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pyebpf import isa
from pyebpf.elf import CollectionSpec, ProgramSpec, load_elf
from pyebpf.errors import BPFError, VerifierError

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 1


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2, one line)."""


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read {path!r}: {e.strerror}") from None


def _is_elf(data: bytes) -> bool:
    return data[:4] == b"\x7fELF"


def _spec(path: str) -> CollectionSpec:
    data = _read(path)
    if not _is_elf(data):
        raise UsageError(f"{path!r} is not an ELF object")
    return load_elf(data)


def _programs(spec: CollectionSpec, name: str | None, path: str) -> list[ProgramSpec]:
    if name is None:
        if not spec.programs:
            raise UsageError(f"{path!r} defines no programs")
        return list(spec.programs.values())
    if name not in spec.programs:
        known = ", ".join(spec.programs) or "none"
        raise UsageError(f"no program {name!r} in {path!r} (programs: {known})")
    return [spec.programs[name]]


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=None, default=str))


# --- disasm -------------------------------------------------------------------------------

def _map_comment(insn: isa.Instruction, prog: ProgramSpec | None) -> str:
    if prog is None or insn.code != isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW:
        return ""
    idx = insn.imm & 0xFFFFFFFF
    if insn.src == isa.BPF_PSEUDO_MAP_IDX and idx < len(prog.map_names):
        return f"map[{prog.map_names[idx]}]"
    if insn.src == isa.BPF_PSEUDO_MAP_IDX_VALUE and idx < len(prog.map_names):
        return f"map[{prog.map_names[idx]}] + {insn.imm >> 32}"
    return ""


def _disasm_lines(insns: list[isa.Instruction], syntax: str, prog: ProgramSpec | None,
                  source: bool) -> list[dict[str, object]]:
    from pyebpf.asm import format_insn

    lines = {li.insn_off: li for li in prog.line_info} if prog is not None and source else {}
    subs = {pc: name for name, pc in prog.subprograms} if prog is not None else {}
    out: list[dict[str, object]] = []
    for insn in insns:
        row: dict[str, object] = {"pc": insn.pc, "opcode": f"0x{insn.code:02x}",
                                  "text": format_insn(insn, syntax),
                                  "raw": insn.encode().hex()}
        if insn.pc in subs:
            row["function"] = subs[insn.pc]
        comment = _map_comment(insn, prog)
        if comment:
            row["map"] = comment
        li = lines.get(insn.pc)
        if li is not None:
            row["src"] = {"file": li.file_name, "line": li.line_num, "text": li.line}
        out.append(row)
    return out


def cmd_disasm(args: argparse.Namespace) -> int:
    data = _read(args.file)
    if _is_elf(data):
        spec = load_elf(data)
        progs = _programs(spec, args.prog, args.file)
        listing = [(p.name, p.section, p.instructions, p) for p in progs]
    else:
        if args.prog:
            raise UsageError("--prog needs an ELF object")
        listing = [(Path(args.file).name, "", isa.decode(data), None)]
    if args.json:
        _print_json([{"name": n, "section": s,
                      "insns": _disasm_lines(i, args.syntax, p, args.source)}
                     for n, s, i, p in listing])
        return EXIT_OK
    for k, (name, section, insns, prog) in enumerate(listing):
        if k:
            print()
        print(f"{name}:" if not section else f"{name} (section {section}):")
        for row in _disasm_lines(insns, args.syntax, prog, args.source):
            if "function" in row:
                print(f"{row['function']}:")
            if "src" in row:
                src = row["src"]
                print(f"; {src['text'].strip()}"  # type: ignore[index]
                      f" [{Path(str(src['file'])).name}:{src['line']}]")  # type: ignore[index]
            text = str(row["text"])
            if "map" in row:
                text += f"  ; {row['map']}"
            if args.syntax == "llvm":
                print(f"{row['pc']:5}: ({str(row['opcode'])[2:]}) {text}")
            else:
                print(f"{row['pc']:5}: {text}")
    return EXIT_OK


# --- asm ----------------------------------------------------------------------------------

def cmd_asm(args: argparse.Namespace) -> int:
    from pyebpf.asm import assemble

    text = _read(args.file).decode("utf-8", "replace")
    syntaxes = ["conformance", "llvm"] if args.syntax == "auto" else [args.syntax]
    first: BPFError | None = None
    for syntax in syntaxes:
        try:
            insns = assemble(text, syntax)
            break
        except BPFError as e:
            first = first or e
    else:
        assert first is not None
        raise first
    code = isa.encode(insns)
    if args.output == "-":
        sys.stdout.buffer.write(code)
    else:
        try:
            Path(args.output).write_bytes(code)
        except OSError as e:
            raise UsageError(f"cannot write {args.output!r}: {e.strerror}") from None
    if args.json:
        _print_json({"output": args.output, "insns": len(insns), "bytes": len(code)})
    elif args.output != "-":
        print(f"{args.output}: {len(insns)} instructions, {len(code)} bytes")
    return EXIT_OK


# --- maps ---------------------------------------------------------------------------------

def _map_info(spec: CollectionSpec, name: str) -> dict[str, object]:
    m = spec.maps[name]
    info: dict[str, object] = {
        "name": name, "type": m.type_name, "key": m.key_size, "value": m.value_size,
        "max_entries": m.max_entries, "flags": m.flags,
    }
    if m.btf is not None and m.key_type_id:
        info["key_type"] = m.btf.type_name(m.key_type_id)
    if m.btf is not None and m.value_type_id:
        info["value_type"] = m.btf.type_name(m.value_type_id)
    if m.pinning:
        info["pinning"] = "by_name"
    if m.inner is not None:
        info["inner"] = {"type": m.inner.type_name, "key": m.inner.key_size,
                         "value": m.inner.value_size, "max_entries": m.inner.max_entries}
    if m.is_data:
        info["section"] = m.section
        if m.freeze:
            info["frozen"] = True
        info["variables"] = {v.name: v.value for v in spec.variables.values()
                             if v.map_name == name}
    elif m.contents:
        info["initial"] = {str(k): v for k, v in m.contents}
    return info


def cmd_maps(args: argparse.Namespace) -> int:
    spec = _spec(args.obj)
    infos = [_map_info(spec, n) for n in spec.maps]
    if args.json:
        _print_json(infos)
        return EXIT_OK
    if not infos:
        print(f"{args.obj}: no maps")
    for i, info in enumerate(infos):
        line = f"{i}: {info['type']}  name {info['name']}  flags 0x{int(info['flags']):x}"
        print(line)
        kv = f"\tkey {info['key']}B  value {info['value']}B  max_entries {info['max_entries']}"
        if "key_type" in info or "value_type" in info:
            kv += f"  ({info.get('key_type', '-')} -> {info.get('value_type', '-')})"
        print(kv)
        if "pinning" in info:
            print("\tpinned by name")
        if "inner" in info:
            inner = info["inner"]
            print(f"\tinner {inner['type']}  key {inner['key']}B  "  # type: ignore[index]
                  f"value {inner['value']}B  max_entries {inner['max_entries']}")  # type: ignore
        if "initial" in info:
            slots = ", ".join(f"[{k}] = {v}" for k, v in info["initial"].items())  # type: ignore
            print(f"\tinitial {slots}")
        for var, value in info.get("variables", {}).items():  # type: ignore[union-attr]
            print(f"\t{var} = {value!r}")
    return EXIT_OK


# --- verify -------------------------------------------------------------------------------

def _verify(prog: ProgramSpec, spec: CollectionSpec, log_level: int) -> object:
    """Run pyebpf's verifier on a program as PROG_LOAD would see it.

    The loader's ``fd_array`` step is done here: BPF_PSEUDO_MAP_IDX(_VALUE) become
    MAP_FD/MAP_VALUE with a stand-in fd per map, as the kernel's
    ``resolve_pseudo_ldimm64`` turns them into map pointers.
    """
    import dataclasses

    from pyebpf.verifier import MapInfo, bpf_check

    prog.check_core_relos()
    prog.check_license()
    fd_base = 3
    maps = {}
    for i, name in enumerate(prog.map_names):
        m = spec.maps[name]
        maps[fd_base + i] = MapInfo(m.type, m.key_size, m.value_size, m.max_entries, m.flags)
    insns = []
    for insn in prog.instructions:
        if insn.code == isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW and insn.src in (
                isa.BPF_PSEUDO_MAP_IDX, isa.BPF_PSEUDO_MAP_IDX_VALUE):
            src = isa.BPF_PSEUDO_MAP_FD if insn.src == isa.BPF_PSEUDO_MAP_IDX \
                else isa.BPF_PSEUDO_MAP_VALUE
            idx = insn.imm & 0xFFFFFFFF
            insn = dataclasses.replace(insn, src=src,
                                       imm=(fd_base + idx) | (insn.imm >> 32 << 32))
        insns.append(insn)
    return bpf_check(insns, prog.type, maps=maps, log_level=log_level)


def cmd_verify(args: argparse.Namespace) -> int:
    spec = _spec(args.obj)
    progs = _programs(spec, args.prog, args.obj)
    results = []
    status = EXIT_OK
    for prog in progs:
        try:
            res = _verify(prog, spec, args.log_level)
            results.append({"name": prog.name, "verdict": "accepted",
                            "processed": res.processed,  # type: ignore[attr-defined]
                            "log": res.log})  # type: ignore[attr-defined]
        except VerifierError as e:
            status = EXIT_REJECTED
            results.append({"name": prog.name, "verdict": "rejected", "errno": e.errno,
                            "error": e.reason, "log": e.log})
    if args.json:
        _print_json(results)
        return status
    for r in results:
        if len(progs) > 1:
            print(f"== {r['name']} ==")
        if r["log"]:
            print(str(r["log"]).rstrip("\n"))
        if r["verdict"] == "accepted":
            print(f"{r['name']}: accepted ({r['processed']} insns processed)")
        else:
            print(f"{r['name']}: rejected: {r['error']}", file=sys.stderr)
    return status


# --- entry point --------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pyebpf", description="Load, verify, run and inspect "
                                "eBPF programs without a kernel.")
    p.add_argument("-j", "--json", action="store_true", help="print JSON")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    d = sub.add_parser("disasm", help="disassemble an object or raw bytecode")
    d.add_argument("file", help="ELF object, or a file of raw 8-byte instructions")
    d.add_argument("--prog", help="only this program")
    d.add_argument("--syntax", choices=("llvm", "conformance"), default="llvm")
    d.add_argument("--source", action="store_true", help="interleave source lines (BTF.ext)")
    d.set_defaults(func=cmd_disasm)

    a = sub.add_parser("asm", help="assemble text into raw bytecode")
    a.add_argument("file", help="assembly source")
    a.add_argument("-o", "--output", required=True, help="output file ('-' for stdout)")
    a.add_argument("--syntax", choices=("auto", "llvm", "conformance"), default="auto")
    a.set_defaults(func=cmd_asm)

    m = sub.add_parser("maps", help="the maps an object defines")
    m.add_argument("obj")
    m.set_defaults(func=cmd_maps)

    v = sub.add_parser("verify", help="run the verifier, print its log")
    v.add_argument("obj")
    v.add_argument("--prog", help="only this program")
    v.add_argument("--log-level", type=int, choices=(1, 2), default=1)
    v.set_defaults(func=cmd_verify)

    for sp in (d, a, m, v):
        sp.add_argument("-j", "--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as e:
        print(f"pyebpf {args.command}: {e}", file=sys.stderr)
        return 2
    except BPFError as e:
        print(f"pyebpf {args.command}: {e.strerror or e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
