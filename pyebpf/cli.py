"""The ``pyebpf`` command: run, verify, inspect, disassemble and assemble BPF programs.

``pyebpf run OBJ --pcap FILE`` is the main job: load an object as libbpf would,
verify it, run its program on every packet through BPF_PROG_TEST_RUN and show
the verdicts and the maps afterwards, typed through the object's BTF.

Subcommands follow bpftool's names and output where they exist, with ``-j/--json``
for machine-readable output.  User mistakes (a missing file, a bad object, an
unknown program name, a program the verifier refuses) print one line and exit
non-zero; a traceback means a bug in pyebpf.
"""

from __future__ import annotations

import argparse
import errno
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pyebpf import isa
from pyebpf.elf import UAPI_CONTEXT_TYPES, CollectionSpec, ProgramSpec, load_elf
from pyebpf.errors import BPFError, ExecutionError, VerifierError
from pyebpf.files import MAX_CAPTURE_BYTES, MAX_OBJECT_BYTES, read_limited

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 1


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2, one line)."""


def _read(path: str, limit: int = MAX_OBJECT_BYTES) -> bytes:
    """The file's bytes, at most ``limit`` of them; ``-`` is standard input."""
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise UsageError(f"standard input is larger than {limit} bytes, the limit for "
                             "this kind of input")
        return data
    try:
        return read_limited(path, limit)
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

def _map_ref(insn: isa.Instruction, prog: ProgramSpec | None) -> str:
    """``map[name]`` / ``map[name] + off`` for an LD_IMM64 of a map of ``prog``."""
    if prog is None or insn.code != isa.BPF_LD | isa.BPF_IMM | isa.BPF_DW:
        return ""
    idx = insn.imm & 0xFFFFFFFF
    if insn.src == isa.BPF_PSEUDO_MAP_IDX and idx < len(prog.map_names):
        return f"map[{prog.map_names[idx]}]"
    if insn.src == isa.BPF_PSEUDO_MAP_IDX_VALUE and idx < len(prog.map_names):
        return f"map[{prog.map_names[idx]}] + {insn.imm >> 32}"
    return ""


def _helper_name(hid: int) -> str | None:
    from pyebpf import uapi

    try:
        return "bpf_" + uapi.BpfFunc(hid).name.removeprefix("BPF_FUNC_")
    except ValueError:
        return None


def _jump_target(insn: isa.Instruction) -> int | None:
    """The pc a jump goes to (None for other instructions)."""
    cls = insn.code & 0x07
    if cls not in (isa.BPF_JMP, isa.BPF_JMP32):
        return None
    op = insn.code & 0xF0
    if op in (0x80, 0x90):                       # call, exit
        return None
    if cls == isa.BPF_JMP32 and op == 0x00:      # gotol
        return insn.pc + 1 + insn.imm
    return insn.pc + 1 + insn.off


def _disasm_lines(insns: list[isa.Instruction], syntax: str, prog: ProgramSpec | None,
                  source: bool) -> list[dict[str, object]]:
    """One row per instruction.  In the llvm syntax, as bpftool and llvm-objdump users
    read it and ``pyebpf asm`` reads back: helper calls by name (``call
    bpf_map_lookup_elem#1``), bpf-to-bpf calls as ``call pc+N``, map loads as
    ``r1 = map[name]``, and jumps annotated with the label (``L12``) their target
    row carries."""
    from pyebpf.asm import format_insn

    lines = {li.insn_off: li for li in prog.line_info} if prog is not None and source else {}
    subs = {pc: name for name, pc in prog.subprograms} if prog is not None else {}
    llvm = syntax == "llvm"
    targets = {t for i in insns if (t := _jump_target(i)) is not None} if llvm else set()
    out: list[dict[str, object]] = []
    for insn in insns:
        text = format_insn(insn, syntax, exact=llvm)
        ref = _map_ref(insn, prog)
        if llvm:
            if ref:
                text = f"r{insn.dst} = {ref}"
            elif insn.code == isa.BPF_JMP | isa.BPF_CALL and insn.src == 0:
                name = _helper_name(insn.imm)
                if name is not None:
                    text = f"call {name}#{insn.imm}"
            target = _jump_target(insn)
            if target is not None:
                text += f" <L{target}>"
        row: dict[str, object] = {"pc": insn.pc, "opcode": f"0x{insn.code:02x}",
                                  "text": text, "raw": insn.encode().hex()}
        if insn.pc in subs:
            row["function"] = subs[insn.pc]
        if insn.pc in targets:
            row["label"] = f"L{insn.pc}"
        if ref:
            row["map"] = ref
        li = lines.get(insn.pc)
        if li is not None:
            row["src"] = {"file": li.file_name, "line": li.line_num, "text": li.line}
        out.append(row)
    return out


def _disasm_jited(listing: list, as_json: bool) -> int:
    """Each program JIT-compiled, its native code disassembled (bpftool prog dump jited)."""
    from pyebpf import _core, _jit
    from pyebpf.jitdump import disassemble, format_rows

    out = []
    for name, section, insns, _prog in listing:
        exe = _core.Executable(insns, jit=True)
        if not exe.jited:
            raise UsageError(f"{name}: not JIT-compiled: {exe.jit_error or 'no JIT'}"
                             + ("" if _jit.SUPPORTED else " on this architecture"))
        rows = disassemble(exe.jit_image.code)
        out.append((name, section, rows))
    if as_json:
        _print_json([{"name": n, "section": s, "jited_prog_len": sum(len(r[1]) for r in rows),
                      "insns": [{"offset": o, "raw": raw.hex(), "text": t}
                                for o, raw, t in rows]} for n, s, rows in out])
        return EXIT_OK
    for k, (name, section, rows) in enumerate(out):
        if k:
            print()
        print(f"{name}:" if not section else f"{name} (section {section}):")
        for line in format_rows(rows):
            print(line)
    return EXIT_OK


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
    if args.jited:
        return _disasm_jited(listing, args.json)
    if args.json:
        _print_json([{"name": n, "section": s,
                      "insns": _disasm_lines(i, args.syntax, p, args.source)}
                     for n, s, i, p in listing])
        return EXIT_OK
    for k, (name, section, insns, prog) in enumerate(listing):
        if k:
            print()
        maps = f", maps: {' '.join(prog.map_names)}" if prog is not None and \
            prog.map_names else ""
        print(f"{name}:" if not section else f"{name} (section {section}{maps}):")
        for row in _disasm_lines(insns, args.syntax, prog, args.source):
            if "function" in row:
                print(f"{row['function']}:")
            if "src" in row:
                src = row["src"]
                print(f"; {src['text'].strip()}"  # type: ignore[index]
                      f" [{Path(str(src['file'])).name}:{src['line']}]")  # type: ignore[index]
            if "label" in row:
                print(f"{row['label']}:")
            text = str(row["text"])
            if "map" in row and args.syntax != "llvm":
                text += f"  ; {row['map']}"
            if args.syntax == "llvm":
                print(f"{row['pc']:5}: ({str(row['opcode'])[2:]}) {text}")
            else:
                print(f"{row['pc']:5}: {text}")
    return EXIT_OK


# --- asm ----------------------------------------------------------------------------------

def cmd_asm(args: argparse.Namespace) -> int:
    from pyebpf.asm import assemble_program

    text = _read(args.file).decode("utf-8", "replace")
    syntaxes = ["conformance", "llvm"] if args.syntax == "auto" else [args.syntax]
    first: BPFError | None = None
    map_order: list[str] = []
    given = args.maps.split(",") if args.maps else None
    for syntax in syntaxes:
        try:
            insns, map_order = assemble_program(text, syntax, maps=given, program=args.prog)
            break
        except BPFError as e:
            # auto: the syntax that read furthest says what is wrong
            if first is None or (getattr(e, "line", 0) or 0) > (getattr(first, "line", 0) or 0):
                first = e
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
        _print_json({"output": args.output, "insns": len(insns), "bytes": len(code),
                     "maps": map_order})
    elif args.output != "-":
        print(f"{args.output}: {len(insns)} instructions, {len(code)} bytes")
        if map_order:
            print(f"fd_array (BPF_PSEUDO_MAP_IDX) order: {', '.join(map_order)}")
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

    from pyebpf.btf import parse_fields
    from pyebpf.elf import kernel_map_name, map_btf_ids
    from pyebpf.verifier import FuncInfo, MapInfo, bpf_check

    prog.check_core_relos()
    prog.check_license()
    fd_base = 3
    maps = {}
    for i, name in enumerate(prog.map_names):
        m = spec.maps[name]
        # the value's BTF as the loader passes it (a bpf_spin_lock in it, ...)
        rec = None
        value_id = map_btf_ids(m)[1]
        if value_id and m.btf is not None:
            try:
                rec = parse_fields(m.btf, value_id, m.value_size)
            except BPFError:
                rec = None      # as map_check_btf: no special field then
        maps[fd_base + i] = MapInfo(m.type, m.key_size, m.value_size, m.max_entries, m.flags,
                                    name=kernel_map_name(name), has_btf=bool(value_id),
                                    fields=rec.fields if rec is not None else (),
                                    spin_lock_off=rec.spin_lock_off if rec is not None else -1,
                                    inner=None if m.inner is None else MapInfo(
                                        m.inner.type, m.inner.key_size, m.inner.value_size,
                                        m.inner.max_entries, m.inner.flags))
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
    # the object's BTF and the program's func_info, as the loader passes them (callbacks
    # need them)
    func_info = (FuncInfo.from_records([(f.insn_off, f.type_id) for f in prog.func_info],
                                       prog.btf)
                 if prog.func_info and prog.btf is not None else None)
    return bpf_check(insns, prog.type, maps=maps, log_level=log_level, func_info=func_info,
                     expected_attach_type=prog.expected_attach_type)


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


# --- run ----------------------------------------------------------------------------------

_XDP_ACTIONS = ("XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT")
_TC_ACTIONS = {0xFFFFFFFF: "TC_ACT_UNSPEC", 0: "TC_ACT_OK", 1: "TC_ACT_RECLASSIFY",
               2: "TC_ACT_SHOT", 3: "TC_ACT_PIPE", 4: "TC_ACT_STOLEN", 5: "TC_ACT_QUEUED",
               6: "TC_ACT_REPEAT", 7: "TC_ACT_REDIRECT", 8: "TC_ACT_TRAP"}
# program types whose test run takes a packet (data_in), by libbpf's SEC() names
_PACKET_TYPES = frozenset({1, 3, 4, 6, 8, 9, 10, 11, 14, 19, 22})
_SOCKET_FILTER, _SCHED_CLS, _SCHED_ACT, _XDP = 1, 3, 4, 6
_PROGRESS_MIN = 200          # packets before a progress bar is worth drawing
_BATCH = 8192                # packets per test_run_batch call (the progress bar's step)
_REFUSED_SHOWN = 10          # refused packets listed by number


def verdict_name(prog_type: int, retval: int) -> str:
    """A test run's retval as the program type means it (bpftool / iproute2 names)."""
    if prog_type == _XDP:
        return _XDP_ACTIONS[retval] if retval < len(_XDP_ACTIONS) else f"XDP_{retval}?"
    if prog_type in (_SCHED_CLS, _SCHED_ACT):
        return _TC_ACTIONS.get(retval, f"TC_ACT_{retval}?")
    if prog_type == _SOCKET_FILTER:
        return "dropped" if retval == 0 else f"kept {retval} bytes"
    return f"retval {retval}"


def _entry_program(spec: CollectionSpec, name: str | None, path: str) -> ProgramSpec:
    """The program to run: ``--prog``, the only one, or the only one no prog array holds
    (tail-call targets are reached through the entry point)."""
    if name is not None:
        return _programs(spec, name, path)[0]
    if not spec.programs:
        raise UsageError(f"{path!r} defines no programs")
    targets = {v for m in spec.maps.values() if m.type_name == "prog_array"
               for _, v in m.contents}
    entries = [p for p in spec.programs.values() if p.name not in targets]
    if len(spec.programs) == 1 or len(entries) == 1:
        return (entries or list(spec.programs.values()))[0]
    raise UsageError(f"{path!r} has several programs ({', '.join(spec.programs)}): "
                     "choose one with --prog")


def _parse_hex(text: str) -> bytes:
    clean = "".join(ch for ch in text if ch not in " :-_\n\t").removeprefix("0x")
    try:
        return bytes.fromhex(clean)
    except ValueError:
        raise UsageError(f"--hex: not hexadecimal bytes: {text[:40]!r}") from None


def _inputs(args: argparse.Namespace, prog: ProgramSpec) -> tuple[str, list[bytes | None]]:
    """(description, data of each run) from --data / --hex / --pcap."""
    from pyebpf.pcap import read_pcap

    if args.pcap is not None:
        captured = list(read_pcap(_read(args.pcap, MAX_CAPTURE_BYTES)))
        args.timestamps = [p.timestamp_ns for p in captured]
        where = "standard input" if args.pcap == "-" else args.pcap
        return f"{len(captured)} packets from {where}", [p.data for p in captured]
    if args.data is not None:
        data = _read(args.data)
        return f"{len(data)} bytes from {args.data}", [data]
    if args.hex is not None:
        data = _parse_hex(args.hex)
        return f"{len(data)} bytes", [data]
    if prog.type in _PACKET_TYPES:
        raise UsageError(f"program {prog.name!r} ({prog.type_name}) runs on packets: "
                         "give --pcap FILE, --data FILE or --hex HEX")
    return "no data", [None]


class _Progress:
    """A one-line progress bar on stderr, drawn only for a terminal and long inputs."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total >= _PROGRESS_MIN and sys.stderr.isatty()
        self.step = max(total // 100, 1)
        self.start = time.monotonic()
        self.last = -1

    def update(self, done: int) -> None:
        if self.enabled and (done // self.step != self.last or done == self.total):
            self.last = done // self.step
            width = 40
            filled = width * done // self.total
            elapsed = max(time.monotonic() - self.start, 1e-9)
            rate = done / elapsed
            eta = (self.total - done) / rate if rate else 0.0
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                             f"{done}/{self.total}  {_rate(rate)} packets/s  ETA {eta:.0f} s ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


def _rate(r: float) -> str:
    return f"{r / 1e6:.2f}M" if r >= 1e6 else f"{r / 1e3:.1f}k" if r >= 1e3 else f"{r:.0f}"


def _jsonable(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return " ".join(f"{b:02x}" for b in value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _show(value: object) -> str:
    """A typed value as bpftool prints BTF-formatted values (JSON), bytes as hex."""
    v = _jsonable(value)
    return v if isinstance(v, str) else json.dumps(v)


def _ringbuf_type(spec: CollectionSpec, size: int) -> int:
    """The BTF struct a ring buffer record most likely is: the one named struct of exactly
    the record's size (0 when none or several: then the record is shown as hex)."""
    btf = spec.btf
    if btf is None:
        return 0
    from pyebpf.btf import KIND_STRUCT

    found = [t.id for t in btf.types[1:] if t.kind == KIND_STRUCT and t.name
             and t.size == size and t.name not in UAPI_CONTEXT_TYPES]
    return found[0] if len(found) == 1 else 0


def _maps_after(coll: object, spec: CollectionSpec, runtime: object) -> list[dict[str, object]]:
    from pyebpf.btf import BTFError

    out: list[dict[str, object]] = []
    for name, ms in spec.maps.items():
        live = coll.maps[name]  # type: ignore[attr-defined]
        info: dict[str, object] = {"name": name, "type": ms.type_name}
        if ms.btf is not None and ms.key_type_id:
            info["key_type"] = ms.btf.type_name(ms.key_type_id)
        if ms.btf is not None and ms.value_type_id and not ms.is_data:
            info["value_type"] = ms.btf.type_name(ms.value_type_id)
        if ms.is_data:
            info["frozen"] = ms.freeze
            info["variables"] = coll.variables(name)  # type: ignore[attr-defined]
        elif ms.type_name == "ringbuf":
            records = live.consume()
            tid = _ringbuf_type(spec, len(records[0])) if records else 0
            events: list[object] = []
            for rec in records:
                try:
                    events.append(spec.btf.to_python(tid, rec) if tid and spec.btf else rec)
                except BTFError:
                    events.append(rec)
            info["events"] = events
            if tid and spec.btf is not None:
                info["event_type"] = spec.btf.type_name(tid)
        elif ms.type_name == "prog_array":
            info["slots"] = {str(k): v for k, v in ms.contents}
        else:
            entries = coll.entries(name)  # type: ignore[attr-defined]
            info["entries"] = [{"key": e.key_typed, "value": e.value_typed} for e in entries]
            info["zero_entries"] = sum(1 for e in entries if not any(
                e.value if isinstance(e.value, bytes) else b"".join(e.value)))
        out.append(info)
    return out


def _print_maps(maps: list[dict[str, object]]) -> None:
    for info in maps:
        kind = str(info["type"])
        if "key_type" in info and "value_type" in info:
            kind += f", {info['key_type']} -> {info['value_type']}"
        if "variables" in info:
            kind += ", frozen" if info.get("frozen") else ""
            print(f"map {info['name']} ({kind}):")
            for var, value in info["variables"].items():  # type: ignore[union-attr]
                print(f"    {var} = {_show(value)}")
            continue
        if "events" in info:
            events = info["events"]
            what = f" {info['event_type']}" if "event_type" in info else ""
            print(f"map {info['name']} ({kind}): {len(events)} event(s){what}")  # type: ignore
            for ev in events:  # type: ignore[union-attr]
                print(f"    {_show(ev)}")
            continue
        if "slots" in info:
            slots = ", ".join(f"[{k}] = {v}" for k, v in info["slots"].items())  # type: ignore
            print(f"map {info['name']} ({kind}): {slots or 'empty'}")
            continue
        entries = info["entries"]
        zeros = int(info["zero_entries"])  # type: ignore[arg-type]
        hide_zeros = info["type"] in ("array", "percpu_array") and zeros > 8
        shown = [e for e in entries  # type: ignore[union-attr]
                 if not hide_zeros or _nonzero(e["value"])]
        count = f"{len(entries)} entries" if entries else "empty"  # type: ignore[arg-type]
        if hide_zeros:
            count += f", {zeros} all-zero not shown"
        print(f"map {info['name']} ({kind}): {count}")
        for e in shown:
            print(f"    {_show(e['key'])}: {_show(e['value'])}")


def _nonzero(value: object) -> bool:
    if isinstance(value, dict):
        return any(_nonzero(v) for v in value.values())
    if isinstance(value, list):
        return any(_nonzero(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return any(value)
    return bool(value)


def cmd_run(args: argparse.Namespace) -> int:
    from pyebpf.runtime import Runtime

    spec = _spec(args.obj)
    prog_spec = _entry_program(spec, args.prog, args.obj)
    if not 0 <= args.repeat <= 0xFFFFFFFF:
        raise UsageError("--repeat must be 0..4294967295 (BPF_PROG_TEST_RUN's u32)")
    what, runs = _inputs(args, prog_spec)
    ctx = _read(args.ctx) if args.ctx is not None else None
    if ctx is not None:
        ctx_what = f"context of {len(ctx)} bytes from {args.ctx}"
        what = ctx_what if what == "no data" else f"{what} with {ctx_what}"
    runtime = Runtime()
    try:
        loaded = spec.load(runtime, log_level=1)
    except VerifierError as e:
        raise BPFError(e.errno or errno.EACCES, f"{e.strerror} (the whole log: pyebpf "
                       f"verify {args.obj} --prog {prog_spec.name})") from None
    with loaded as coll:
        prog = coll.programs[prog_spec.name]
        processed = next((ln.split()[1] for ln in prog.log.splitlines()
                          if ln.startswith("processed ")), None)
        verdicts: dict[str, int] = {}
        refused: dict[str, int] = {}
        refused_packets: list[dict[str, object]] = []
        changed = 0
        durations: list[int] = []
        outputs: list[tuple[int, bytes]] = []
        timestamps = getattr(args, "timestamps", None)
        last = None
        progress = _Progress(len(runs), not args.json)

        def account(i: int, data: bytes | None, retval: int, data_out: bytes | None,
                    duration: int) -> None:
            nonlocal changed
            name = verdict_name(prog_spec.type, retval)
            verdicts[name] = verdicts.get(name, 0) + 1
            durations.append(duration)
            if prog_spec.type in (_XDP, _SCHED_CLS, _SCHED_ACT) and data is not None \
                    and data_out is not None and data_out != data:
                changed += 1
            if args.write_pcap is not None and data_out is not None:
                ts = timestamps[i - 1] if timestamps else (i - 1) * 1_000_000
                outputs.append((ts, data_out))

        def one(i: int, data: bytes | None) -> None:
            nonlocal last
            try:
                last = prog.test_run(data, ctx, repeat=args.repeat)
            except ExecutionError as e:
                # a verified program never faults in the kernel: this is no verdict
                where = f"packet {i}: " if len(runs) > 1 else ""
                raise BPFError(e.errno or errno.EFAULT,
                               f"{where}program {prog_spec.name!r} stopped at "
                               f"{e.strerror}") from None
            except BPFError as e:
                if len(runs) == 1:
                    raise
                code = errno.errorcode.get(e.errno or 0, str(e.errno))
                refused[code] = refused.get(code, 0) + 1
                if len(refused_packets) < _REFUSED_SHOWN:
                    refused_packets.append({"packet": i, "errno": code,
                                            "error": e.strerror or str(e)})
                return
            account(i, data, last.retval, last.data_out, last.duration)

        batched = ctx is None and args.repeat == 0 and len(runs) > 1 and \
            all(type(d) is bytes for d in runs)
        try:
            for start in range(0, len(runs), _BATCH):
                chunk = runs[start:start + _BATCH]
                if batched:
                    try:
                        res = prog.test_run_batch(chunk)  # type: ignore[arg-type]
                    except ExecutionError as e:
                        i = start + getattr(e, "packet_index", 0) + 1
                        raise BPFError(e.errno or errno.EFAULT,
                                       f"packet {i}: program {prog_spec.name!r} stopped at "
                                       f"{e.strerror}") from None
                    except BPFError as e:
                        # a packet test_run refuses: the ones before it ran (partial),
                        # it and the rest of the chunk go one by one
                        res = getattr(e, "partial", None)
                        done = getattr(e, "packet_index", None)
                        if res is None or done is None:
                            raise
                    else:
                        done = len(chunk)
                    outs = res.data_out
                    for j in range(done):
                        account(start + j + 1, chunk[j], res.retvals[j], outs[j],
                                res.durations[j])
                    progress.update(start + done)
                    chunk_rest = range(done, len(chunk))
                else:
                    chunk_rest = range(len(chunk))
                for j in chunk_rest:
                    one(start + j + 1, chunk[j])
                    progress.update(start + j + 1)
        finally:
            progress.close()
        if args.write_pcap is not None:
            from pyebpf.pcap import write_pcap

            try:
                write_pcap(args.write_pcap, outputs)
            except OSError as e:
                raise UsageError(f"cannot write {args.write_pcap!r}: {e.strerror}") from None
        maps = _maps_after(coll, spec, runtime)
        trace = runtime.trace_pipe()
    durations.sort()
    result: dict[str, object] = {
        "program": prog_spec.name, "section": prog_spec.section, "type": prog_spec.type_name,
        "input": what, "runs": len(runs), "repeat": args.repeat,
        "verified": {"processed": int(processed)} if processed else {},
        "verdicts": verdicts, "refused": refused, "refused_packets": refused_packets,
        "modified": changed,
        "median_ns": durations[len(durations) // 2] if durations else 0,
        "maps": maps, "trace": trace,
    }
    if args.write_pcap is not None:
        result["written"] = {"path": args.write_pcap, "packets": len(outputs)}
    if len(runs) == 1 and last is not None:
        result["retval"] = last.retval
        if last.data_out is not None:
            result["data_out"] = last.data_out.hex()
        if last.ctx_out is not None:
            result["ctx_out"] = last.ctx_out.hex()
    if args.json:
        _print_json(_jsonable(result))
        return EXIT_OK
    _print_run(result, prog_spec, runs, last)
    return EXIT_OK


def _print_run(r: dict[str, object], prog: ProgramSpec, runs: list[bytes | None],
               last: object) -> None:
    verified = f", verified ({r['verified']['processed']} insns processed)" \
        if r["verified"] else ""  # type: ignore[index]
    print(f"{r['program']} ({r['section']}): {r['input']}{verified}")
    print()
    if len(runs) == 1 and last is not None:
        retval = int(r["retval"])  # type: ignore[arg-type]
        name = verdict_name(prog.type, retval)
        print(f"  retval      {retval if name.startswith('retval') else f'{name} ({retval})'}")
        data = runs[0]
        out = r.get("data_out")
        if out is not None and data is not None and bytes.fromhex(str(out)) != data:
            print(f"  data_out    {out}")
        if "ctx_out" in r:
            print(f"  ctx_out     {r['ctx_out']}")
        if r["median_ns"]:             # raw_tp and syscall runs report no duration
            print(f"  duration    {int(r['median_ns']) / 1000:.1f} us")  # type: ignore
    else:
        rows = sorted(r["verdicts"].items(), key=lambda kv: -kv[1])  # type: ignore[union-attr]
        rows += [(f"refused by test_run ({k})", v)
                 for k, v in r["refused"].items()]  # type: ignore[union-attr]
        width = max((len(k) for k, _ in rows), default=8)
        total = sum(v for _, v in rows) or 1
        for name, count in rows:
            print(f"  {name:<{width}}  {count:>6}  {100 * count / total:5.1f}%")
        extra = f", {r['modified']} packets modified" if r["modified"] else ""
        median = int(r["median_ns"])  # type: ignore[arg-type]
        per_run = f"{median / 1000:.1f} us" if median >= 1000 else f"{median} ns"
        print(f"  {r['runs']} runs, median {per_run} per run{extra}")
        for rp in r["refused_packets"]:  # type: ignore[union-attr]
            print(f"  packet {rp['packet']} refused by test_run: {rp['errno']}: "
                  f"{rp['error']}")
        total_refused = sum(r["refused"].values())  # type: ignore[union-attr]
        if total_refused > len(r["refused_packets"]):  # type: ignore[arg-type]
            print(f"  ... and {total_refused - len(r['refused_packets'])} more refused")
    if "written" in r:
        w = r["written"]
        print(f"  {w['packets']} packets as the program left them written to "  # type: ignore
              f"{w['path']}")
    print()
    _print_maps(r["maps"])  # type: ignore[arg-type]
    trace = r["trace"]
    if trace:
        print()
        print("trace_pipe:")
        for line in trace:  # type: ignore[union-attr]
            print(f"    {line}")


# --- entry point --------------------------------------------------------------------------

def _version() -> str:
    from pyebpf import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pyebpf", description="Load, verify, run and inspect "
                                "eBPF programs without a kernel.")
    p.add_argument("-j", "--json", action="store_true", help="print JSON")
    p.add_argument("--version", action="version", version=f"pyebpf {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    d = sub.add_parser("disasm", help="disassemble an object or raw bytecode")
    d.add_argument("file", help="ELF object, or a file of raw 8-byte instructions")
    d.add_argument("--prog", help="only this program")
    d.add_argument("--syntax", choices=("llvm", "conformance"), default="llvm")
    d.add_argument("--source", action="store_true", help="interleave source lines (BTF.ext)")
    d.add_argument("--jited", action="store_true",
                   help="the x86-64 code the JIT makes of each program (as written: map "
                        "references keep their relocation values)")
    d.set_defaults(func=cmd_disasm)

    a = sub.add_parser("asm", help="assemble text into raw bytecode")
    a.add_argument("file", help="assembly source")
    a.add_argument("-o", "--output", required=True, help="output file ('-' for stdout)")
    a.add_argument("--syntax", choices=("auto", "llvm", "conformance"), default="auto")
    a.add_argument("--prog", help="the program to assemble, when the text is a whole "
                   "object's 'pyebpf disasm' output")
    a.add_argument("--maps", metavar="A,B,...", help="fd_array order of the map[name] "
                   "references (default: the disasm header's, else first use)")
    a.set_defaults(func=cmd_asm)

    m = sub.add_parser("maps", help="the maps an object defines")
    m.add_argument("obj")
    m.set_defaults(func=cmd_maps)

    v = sub.add_parser("verify", help="run the verifier, print its log")
    v.add_argument("obj")
    v.add_argument("--prog", help="only this program")
    v.add_argument("--log-level", type=int, choices=(1, 2), default=1)
    v.set_defaults(func=cmd_verify)

    r = sub.add_parser("run", help="load, verify and run a program on packets or a context")
    r.add_argument("obj")
    r.add_argument("--prog", help="the program to run (default: the object's entry point)")
    src = r.add_mutually_exclusive_group()
    src.add_argument("--data", metavar="FILE", help="one packet, raw bytes")
    src.add_argument("--pcap", metavar="FILE", help="every packet of a pcap or pcapng "
                     "capture, in order ('-': standard input)")
    src.add_argument("--hex", metavar="HEX", help="one packet as hexadecimal bytes")
    r.add_argument("--ctx", metavar="FILE", help="the context (ctx_in), raw bytes")
    r.add_argument("--repeat", type=int, default=0, metavar="N",
                   help="run each input N times (as BPF_PROG_TEST_RUN's repeat)")
    r.add_argument("--write-pcap", metavar="OUT",
                   help="write every packet as the program left it (data_out) to a pcap")
    r.set_defaults(func=cmd_run)

    from pyebpf.trace import add_parser as _add_trace

    t = _add_trace(sub)
    for sp in (d, a, m, v, r, t):
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
    except KeyboardInterrupt:
        print(f"pyebpf {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
