"""``pyebpf trace OBJ -- python script.py ARGS``: run a Python program with probes attached.

The object's programs whose sections name an attach point (``uprobe/module:qualname``,
``uretprobe/...``, ``tp/category/name``, ``raw_tp/category:name``) are attached, plus
any ``--attach PROG=SECTION`` (a program may be attached to several functions that
way, e.g. one ``SEC("uprobe")`` counter on many).  The script then runs in this process
as ``__main__`` (functions of ``__main__`` are hooked when they first run); the events
of its ring buffers and perf event arrays are printed as they come, typed through BTF,
and the maps when it ends.  Map keys that are a probed function's ``pt_regs.ip`` are
shown as that function's name.  ``-j`` prints JSON lines: ``{"event": ...}`` per event,
``{"lost": ...}`` per loss, and ``{"maps": [...]}`` at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import threading
import traceback
from typing import Any

ATTACHABLE = ("uprobe", "uretprobe", "tp", "tracepoint", "raw_tp", "raw_tracepoint")


def _options(t: argparse.ArgumentParser) -> None:
    t.add_argument("--attach", action="append", default=[], metavar="PROG=SECTION",
                   help="also attach PROG as SECTION (e.g. count=uprobe/__main__:fib); "
                   "repeatable")
    t.add_argument("--event-type", metavar="STRUCT",
                   help="the BTF struct of event records (default: the struct of their size)")
    t.add_argument("--no-maps", action="store_true", help="do not print the maps at exit")
    t.add_argument("--set", action="append", default=[], metavar="VAR=VALUE",
                   help="set a .rodata/.data variable before load (an integer); repeatable")
    t.add_argument("--list", action="store_true",
                   help="list the links once attached (as bpftool link does)")
    t.add_argument("--sample", type=int, metavar="HZ", default=0,
                   help="run SEC(\"perf_event\") programs HZ times a second over the "
                   "program's main thread (a sampling profiler)")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    t = sub.add_parser("trace", help="run a Python program with an object's probes attached",
                       description="Run a Python program with the object's uprobes and "
                       "tracepoints attached; print events as they come and the maps at "
                       "exit.  Usage: pyebpf trace OBJ [options] -- python script.py ARGS")
    t.add_argument("obj")
    _options(t)
    t.add_argument("command", nargs=argparse.REMAINDER,
                   help="-- python script.py ARGS (or -- python -m module ARGS)")
    t.set_defaults(func=cmd_trace)
    return t


def _script(cmd: list[str]) -> tuple[str, str, list[str]]:
    """("path"|"module", target, argv) from ``[--] [python] script.py ARGS``."""
    from pyebpf.cli import UsageError

    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if cmd and os.path.basename(cmd[0]).startswith("python"):
        cmd = cmd[1:]
    if not cmd:
        raise UsageError("no program to run: pyebpf trace OBJ -- python script.py ARGS")
    if cmd[0] == "-m":
        if len(cmd) < 2:
            raise UsageError("-m needs a module name")
        return "module", cmd[1], [cmd[1], *cmd[2:]]
    if cmd[0].startswith("-"):
        raise UsageError(f"python option {cmd[0]} is not supported by pyebpf trace")
    return "path", cmd[0], cmd


def _line(text: str) -> None:
    """One line in one write: the traced program prints to the same stdout, from its
    own thread."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class _Printer:
    """Prints events (text or JSON lines), from the polling thread and at exit."""

    def __init__(self, as_json: bool, names: dict[int, str]) -> None:
        self.json = as_json
        self.names = names
        self.lock = threading.Lock()
        self.count = 0

    def event(self, map_name: str, type_name: str | None, value: Any,
              cpu: int | None = None) -> None:
        from pyebpf.cli import _jsonable, _show

        value = _symbolic(value, self.names)
        with self.lock:
            self.count += 1
            if self.json:
                rec: dict[str, Any] = {"event": map_name, "value": _jsonable(value)}
                if cpu is not None:
                    rec["cpu"] = cpu
                _line(json.dumps(rec))
            else:
                where = f"{map_name}" + (f" cpu {cpu}" if cpu is not None else "")
                _line(f"[{where}] {_show(value)}")

    def lost(self, map_name: str, cpu: int, n: int) -> None:
        with self.lock:
            if self.json:
                _line(json.dumps({"lost": n, "map": map_name, "cpu": cpu}))
            else:
                _line(f"[{map_name} cpu {cpu}] lost {n} sample(s)")


def _consumers(coll: Any, printer: _Printer, event_type: str | None) -> list[Any]:
    from pyebpf.events import PerfBuffer, RingBuffer, record_type

    btf = coll.spec.btf
    out: list[Any] = []
    for name, ms in coll.spec.maps.items():
        def decode_for(rec: bytes) -> tuple[str | None, Any]:
            tid = record_type(btf, len(rec), event_type)
            if not tid:
                return None, rec
            try:
                return btf.type_name(tid), btf.to_python(tid, rec.ljust(btf.size_of(tid),
                                                                        b"\0"))
            except Exception:
                return None, rec

        if ms.type_name == "ringbuf":
            def on_rb(rec: bytes, name: str = name) -> None:
                tname, value = decode_for(rec)
                printer.event(name, tname, value)
            out.append(RingBuffer(coll.maps[name], on_rb))
        elif ms.type_name == "perf_event_array":
            def on_perf(cpu: int, rec: bytes, name: str = name) -> None:
                tname, value = decode_for(rec)
                printer.event(name, tname, value, cpu)
            out.append(PerfBuffer(coll.maps[name], on_perf,
                                  lambda cpu, n, name=name: printer.lost(name, cpu, n)))
    return out


def _symbolic(v: Any, names: dict[int, str]) -> Any:
    """``v`` with Python code addresses (a probed function's pt_regs.ip, bpf_get_stack
    frames) as names, also inside structs and arrays (stacks lose their zero tail)."""
    from pyebpf.probes import symbolize

    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return names.get(v) or (symbolize(v) if v > 0xFFFF else None) or v
    if isinstance(v, list):
        out = [_symbolic(x, names) for x in v]
        if any(isinstance(x, str) for x in out):
            while out and out[-1] == 0:
                out.pop()
        return out
    if isinstance(v, dict):
        return {k: _symbolic(x, names) for k, x in v.items()}
    return v


def _symbolize(maps: list[dict[str, Any]], names: dict[int, str]) -> None:
    """Map keys that are code addresses become names (see _symbolic)."""
    for info in maps:
        for e in info.get("entries", ()):
            e["key"] = _symbolic(e.get("key"), names)


def cmd_trace(args: argparse.Namespace) -> int:
    from pyebpf import links, probes
    from pyebpf.cli import UsageError, _maps_after, _print_maps, _spec
    from pyebpf.runtime import default_runtime

    rest = list(args.command)
    if "--" in rest and rest.index("--") > 0:
        # options after OBJ land in the remainder: parse them here
        i = rest.index("--")
        extra_opts = argparse.ArgumentParser(prog="pyebpf trace", add_help=False)
        _options(extra_opts)
        extra_opts.add_argument("-j", "--json", action="store_true", default=args.json)
        parsed, unknown = extra_opts.parse_known_args(rest[:i])
        if unknown:
            raise UsageError(f"unknown options {' '.join(unknown)}")
        for k in ("attach", "set"):
            setattr(args, k, getattr(args, k) + getattr(parsed, k))
        args.event_type = parsed.event_type or args.event_type
        args.no_maps = parsed.no_maps or args.no_maps
        args.sample = parsed.sample or args.sample
        args.list = parsed.list or args.list
        args.json = parsed.json
        rest = rest[i:]
    kind, target, argv = _script(rest)
    spec = _spec(args.obj)
    extra: list[tuple[str, str]] = []
    for item in args.attach:
        prog, sep, section = item.partition("=")
        if not sep or prog not in spec.programs:
            raise UsageError(f"--attach {item!r}: want PROG=SECTION with PROG one of "
                             f"{', '.join(spec.programs)}")
        extra.append((prog, section))
    plan = [(n, p.section) for n, p in spec.programs.items()
            if p.section.partition("/")[0] in ATTACHABLE and p.section.partition("/")[2]]
    plan += extra
    sampled = [n for n, p in spec.programs.items() if p.section == "perf_event"]
    if sampled and not args.sample:
        raise UsageError(f"{', '.join(sampled)}: perf_event programs need --sample HZ")
    if not plan and not sampled:
        raise UsageError(f"{args.obj}: no program has an attach point (uprobe/MODULE:FUNC, "
                         "uretprobe/..., tp/CAT/NAME, raw_tp/CAT:NAME); use --attach")
    for item in args.set:
        var, sep, value = item.partition("=")
        if not sep or var not in spec.variables:
            raise UsageError(f"--set {item!r}: want VAR=VALUE with VAR one of "
                             f"{', '.join(spec.variables) or '(none)'}")
        try:
            spec.variables[var].set(int(value, 0))
        except ValueError:
            raise UsageError(f"--set {item!r}: {value!r} is not an integer") from None
    runtime = default_runtime()
    coll = spec.load(runtime)
    attached: list[Any] = []
    code = 0
    try:
        for prog, section in plan:
            kind_, _, rest = section.partition("/")
            if kind_ in ("tp", "tracepoint", "raw_tp", "raw_tracepoint"):
                # declared before the script runs: the script's declaration gets this one
                name = rest.replace("/", ":") if kind_ in ("tp", "tracepoint") else rest
                probes.tracepoint(name)
            attached.append(links.attach(coll.programs[prog], section, pending=True))
        for prog in sampled:
            attached.append(links.attach_perf_event(coll.programs[prog], args.sample))
        if args.list:
            _print_links(links.list_links(runtime), bool(args.json))
        names = _probe_names(runtime)
        printer = _Printer(bool(args.json), names)
        consumers = _consumers(coll, printer, args.event_type)
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(0.01):
                for c in consumers:
                    c.consume()
        poller = threading.Thread(target=poll, name="pyebpf-trace", daemon=True)
        poller.start()
        code = _run(kind, target, argv)
        stop.set()
        poller.join()
        for c in consumers:
            c.consume()
        if not args.no_maps:
            maps = [m for m in _maps_after(coll, spec, runtime)
                    if m["type"] not in ("ringbuf", "perf_event_array")]
            _symbolize(maps, _probe_names(runtime))
            if args.json:
                from pyebpf.cli import _jsonable

                print(json.dumps({"maps": _jsonable(maps)}))
            else:
                _print_maps(maps)
    finally:
        for link in attached:
            link.close()
        coll.close()
    return code


def _print_links(items: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"links": items}), flush=True)
        return
    for d in items:
        what = " ".join(f"{k} {v}" for k, v in d.items()
                        if k not in ("id", "type", "prog_id", "prog_name") and v != 0)
        print(f"{d['id']}: {d['type']}  prog {d['prog_id']} {d.get('prog_name', '')}  "
              f"{what}".rstrip(), flush=True)


def _probe_names(runtime: Any) -> dict[int, str]:
    from pyebpf.probes import _SITES

    return {site.ip: site.target.replace("__main__:", "") for site in list(_SITES.values())}


def _run(kind: str, target: str, argv: list[str]) -> int:
    """Run the script as ``__main__``; its exit status."""
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = argv
    try:
        if kind == "module":
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
            runpy.run_path(target, run_name="__main__")
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path


__all__ = ["add_parser", "cmd_trace"]
