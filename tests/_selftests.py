"""The kernel's own verifier selftests, loaded in the live kernel and in pyebpf.

``tests/data/selftests/*.o`` are the kernel's ``tools/testing/selftests/bpf/progs/verifier_*.c``
(Linux 6.12) compiled by ``tests/data/selftests/build.sh``, with pyebpf's ``bpf_misc.h``
stand-in recording each test annotation (``__success``, ``__msg(...)``, ``__retval(...)``,
``__flag(...)``, ...) as a ``pyebpf_test:KEY=VALUE`` BTF decl tag on the program's FUNC.

Each program of a supported type is loaded as the selftests' test_loader loads it (its
``__flag``s plus BPF_F_TEST_RND_HI32 | BPF_F_TEST_REG_INVARIANTS, the object's maps, the
``__auxiliary`` programs beside it) into the live kernel and into a fresh pyebpf
:class:`~pyebpf.runtime.Runtime`.  The kernel is the reference for the verdict, the errno and
the first error line; the ``__msg`` annotations are a second reference (each must appear in
the log, in order).  Where ``__retval`` is given and both accepted the program, both run it
through BPF_PROG_TEST_RUN on test_loader's input (64 zero bytes) and the return values are
compared with each other and with the annotation.

``python tests/_selftests.py`` prints the agreement by file (``--update`` rewrites the
expectations file, ``--list`` prints every disagreement).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":   # run as a script: this worktree's pyebpf, not an installed one
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyebpf import btf as _btf
from pyebpf import kernel, uapi
from pyebpf.elf import CollectionSpec, load_elf, load_into_kernel
from pyebpf.errors import BPFError
from pyebpf.runtime import Runtime
from pyebpf.verifier.diff import error_line

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "selftests"
EXPECTED = DATA / "expected_disagreements.txt"
TAG = "pyebpf_test:"
PT = uapi.BpfProgType
# the program types pyebpf loads; the rest (lsm, sk_msg, sock_ops, lwt, ...) are counted
# as left out
SUPPORTED = {PT.BPF_PROG_TYPE_SOCKET_FILTER, PT.BPF_PROG_TYPE_SCHED_CLS,
             PT.BPF_PROG_TYPE_SCHED_ACT, PT.BPF_PROG_TYPE_XDP, PT.BPF_PROG_TYPE_CGROUP_SKB,
             PT.BPF_PROG_TYPE_RAW_TRACEPOINT, PT.BPF_PROG_TYPE_SYSCALL,
             PT.BPF_PROG_TYPE_KPROBE, PT.BPF_PROG_TYPE_TRACEPOINT,
             PT.BPF_PROG_TYPE_PERF_EVENT}
TEST_RUN = {PT.BPF_PROG_TYPE_SOCKET_FILTER, PT.BPF_PROG_TYPE_SCHED_CLS,
            PT.BPF_PROG_TYPE_SCHED_ACT, PT.BPF_PROG_TYPE_XDP, PT.BPF_PROG_TYPE_CGROUP_SKB,
            PT.BPF_PROG_TYPE_SYSCALL}
# test_loader's testing_prog_flags(): both are accepted by the kernels this runs on
TESTING_FLAGS = uapi.BPF_F_TEST_RND_HI32 | 0x80   # | BPF_F_TEST_REG_INVARIANTS
FLAG_NAMES = {"BPF_F_STRICT_ALIGNMENT": uapi.BPF_F_STRICT_ALIGNMENT,
              "BPF_F_ANY_ALIGNMENT": uapi.BPF_F_ANY_ALIGNMENT,
              "BPF_F_TEST_RND_HI32": uapi.BPF_F_TEST_RND_HI32,
              "BPF_F_TEST_STATE_FREQ": uapi.BPF_F_TEST_STATE_FREQ,
              "BPF_F_SLEEPABLE": uapi.BPF_F_SLEEPABLE,
              "BPF_F_XDP_HAS_FRAGS": uapi.BPF_F_XDP_HAS_FRAGS,
              "BPF_F_TEST_REG_INVARIANTS": 0x80}
POINTER_VALUE = 0xcafe4a11   # __retval(POINTER_VALUE): the program returns a pointer
RETVAL_NAMES = {"INT_MIN": -(1 << 31), "POINTER_VALUE": POINTER_VALUE, "TEST_DATA_LEN": 64}
TEST_DATA_LEN = 64
# programs that make a verifier walk a million instructions ("program is too large"):
# seconds each in pyebpf, so only with PYEBPF_LONG=1
SLOW = {"verifier_search_pruning/short_loop1", "verifier_loops1/loop_after_a_conditional_jump",
        "verifier_gotol/gotol_large_imm", "verifier_gotol/gotol_small_imm",
        "verifier_bounds/crossing_32_bit_signed_boundary_2",
        "verifier_bounds/crossing_64_bit_signed_boundary_2",
        "verifier_loops1/jumps_out_rather_than_in"}


@dataclass
class Annotations:
    """One program's test annotations, read from its BTF decl tags."""

    success: bool = False
    failure: bool = False
    msgs: list[str] = field(default_factory=list)
    retval: int | None = None
    flags: int = 0
    log_level: int = 0
    description: str = ""
    auxiliary: bool = False
    unpriv_only: bool = False    # only __*_unpriv verdicts: upstream loads it unprivileged only
    arch: str = ""


def _tags(btf: _btf.BTF) -> dict[str, list[str]]:
    """FUNC name -> its ``pyebpf_test:`` tag values, in BTF order."""
    out: dict[str, list[str]] = {}
    for t in btf.types[1:]:
        if t.kind == _btf.KIND_DECL_TAG and t.name.startswith(TAG) and t.component_idx == -1:
            target = btf[t.ref]
            if target.kind == _btf.KIND_FUNC:
                out.setdefault(target.name, []).append(t.name[len(TAG):])
    return out


def _seq(value: str) -> tuple[int, str]:
    """``N=text`` of a __COUNTER__-numbered tag: (N, text)."""
    n, _, text = value.partition("=")
    return int(n), text


def parse_annotations(values: Sequence[str]) -> Annotations:
    a = Annotations()
    msgs: list[tuple[int, str]] = []
    unpriv = False
    for v in values:
        key, _, val = v.partition("=")
        if key == "success":
            a.success = True
        elif key == "failure":
            a.failure = True
        elif key == "msg":
            msgs.append(_seq(val))
        elif key == "retval":
            a.retval = RETVAL_NAMES[val] if val in RETVAL_NAMES else int(val, 0)
        elif key == "flag":
            a.flags |= FLAG_NAMES[val] if val in FLAG_NAMES else int(val, 0)
        elif key == "log_level":
            a.log_level = int(val)
        elif key == "description":
            a.description = val
        elif key == "auxiliary":
            a.auxiliary = True
        elif key == "arch":
            a.arch = val
        elif key in ("success_unpriv", "failure_unpriv", "msg_unpriv", "retval_unpriv"):
            unpriv = True
    a.msgs = [text for _, text in sorted(msgs)]
    a.unpriv_only = unpriv and not (a.success or a.failure or a.msgs or a.retval is not None)
    return a


@dataclass
class Case:
    obj: str            # the object's file name
    name: str           # the program's name
    prog_type: int
    ann: Annotations

    @property
    def key(self) -> str:
        return f"{self.obj.removesuffix('.o')}/{self.name}"


def cases(path: Path) -> tuple[CollectionSpec, list[Case], list[str], int]:
    """(spec, the test cases of supported types, the auxiliary programs, how many programs
    were left out for their type)."""
    spec = load_elf(path)
    tags = _tags(spec.btf) if spec.btf is not None else {}
    out, aux, left_out = [], [], 0
    for name, p in spec.programs.items():
        ann = parse_annotations(tags.get(name, []))
        if ann.auxiliary:
            aux.append(name)
            continue
        if p.type not in SUPPORTED:
            left_out += 1
            continue
        out.append(Case(path.name, name, p.type, ann))
    return spec, out, aux, left_out


def msgs_found(log: str, msgs: Iterable[str]) -> bool:
    """Every message in ``log``, each after the previous one (test_loader's rule)."""
    pos = 0
    for m in msgs:
        i = log.find(m, pos)
        if i < 0:
            return False
        pos = i + len(m)
    return True


@dataclass
class Side:
    """What one verifier (the kernel's or pyebpf's) said of a program, and its run."""

    ok: bool
    errno: int = 0
    line: str = ""
    log: str = ""
    retval: int | None = None        # s32, when run
    run_errno: int = 0               # when the run itself failed


@dataclass
class Result:
    case: Case
    kernel: Side
    ours: Side

    @property
    def ran(self) -> bool:
        return self.kernel.retval is not None or bool(self.kernel.run_errno)

    def disagreements(self) -> dict[str, str]:
        """kind -> what differs ("verdict", "errno", "line", "msg", "retval")."""
        k, o, ann = self.kernel, self.ours, self.case.ann
        out: dict[str, str] = {}
        if k.ok != o.ok:
            out["verdict"] = (f"kernel {'accepts' if k.ok else 'refuses'}, pyebpf "
                              f"{'accepts' if o.ok else 'refuses'}: "
                              f"{(o.line if not o.ok else k.line)!r}")
            return out
        if not k.ok:
            if k.errno != o.errno:
                out["errno"] = f"kernel {errno.errorcode.get(k.errno, k.errno)}, pyebpf " \
                               f"{errno.errorcode.get(o.errno, o.errno)}"
            if k.line != o.line:
                out["line"] = f"kernel {k.line!r}, pyebpf {o.line!r}"
        if ann.msgs and msgs_found(k.log, ann.msgs) and not msgs_found(o.log, ann.msgs):
            missing = next(m for m in ann.msgs if m not in o.log)
            out["msg"] = f"pyebpf's log lacks {missing!r}"
        if self.ran and ann.retval == POINTER_VALUE:
            # a pointer's value: test_loader compares nothing, here both must have run
            if (k.retval is None) != (o.retval is None):
                out["retval"] = f"kernel {k.retval if k.retval is not None else k.run_errno}, " \
                                f"pyebpf {o.retval if o.retval is not None else o.run_errno}"
        elif self.ran and (k.retval, k.run_errno) != (o.retval, o.run_errno):
            out["retval"] = f"kernel {k.retval if k.retval is not None else k.run_errno}, " \
                            f"pyebpf {o.retval if o.retval is not None else o.run_errno}"
        return out


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _run(prog: object, prog_type: int, side: Side, kernel: bool) -> None:
    """BPF_PROG_TEST_RUN as test_loader does it: 64 zero bytes in (none for syscall)."""
    try:
        if prog_type == PT.BPF_PROG_TYPE_SYSCALL:
            res = prog.test_run(None, None) if kernel else prog.test_run()  # type: ignore
        elif kernel:
            res = prog.test_run(bytes(TEST_DATA_LEN), None,  # type: ignore[attr-defined]
                                data_size_out=TEST_DATA_LEN << 2)
        else:
            res = prog.test_run(bytes(TEST_DATA_LEN),  # type: ignore[attr-defined]
                                data_size_out=TEST_DATA_LEN << 2)
    except BPFError as e:
        side.run_errno = e.errno or errno.EINVAL
        return
    side.retval = _s32(res.retval)


@contextlib.contextmanager
def _flags(spec: CollectionSpec, case: Case) -> Iterator[CollectionSpec]:
    """``spec`` with the case's program flags set for the duration (a copy of the whole
    spec per program would cost more than loading it)."""
    p = spec.programs[case.name]
    saved = p.flags
    p.flags |= TESTING_FLAGS | case.ann.flags
    try:
        yield spec
    finally:
        p.flags = saved


def _log_level(case: Case) -> int:
    return max(1, case.ann.log_level)


# printed first for every program of these objects (their __naked functions have no
# return type in BTF); not an error
_NOTE = re.compile(r"^Global function \S+ doesn't return scalar\. Only those are supported\.$",
                   re.M)


def first_error_line(log: str) -> str:
    return error_line(_NOTE.sub("", log))


def run_kernel(spec: CollectionSpec, case: Case, aux: list[str]) -> Side:
    try:
        with _flags(spec, case) as s:
            kc = load_into_kernel(s, [case.name, *aux], _log_level(case))
    except BPFError as e:
        log = getattr(e, "log", "") or ""
        if e.errno != errno.ENOSPC:
            return Side(False, e.errno or errno.EINVAL,
                        first_error_line(log) if log else str(e), log)
        # the log outgrew its buffer (the kernel keeps its tail and says ENOSPC): the
        # verdict and errno come from a load without a log
        try:
            with _flags(spec, case) as s:
                kc = load_into_kernel(s, [case.name, *aux], 0)
        except BPFError as e0:
            return Side(False, e0.errno or errno.EINVAL, first_error_line(log), log)
    try:
        prog = kc.programs[case.name]
        side = Side(True, log=prog.log)  # type: ignore[attr-defined]
        if case.ann.retval is not None and case.prog_type in TEST_RUN:
            _run(prog, case.prog_type, side, kernel=True)
        return side
    finally:
        kc.close()


def run_pyebpf(spec: CollectionSpec, case: Case, aux: list[str]) -> Side:
    try:
        with _flags(spec, case) as s:
            coll = s.load(Runtime(), [case.name, *aux], _log_level(case))
    except BPFError as e:
        log = getattr(e, "log", "") or ""
        return Side(False, e.errno or errno.EINVAL, first_error_line(log) if log else str(e),
                    log)
    try:
        prog = coll.programs[case.name]
        side = Side(True, log=prog.log)
        if case.ann.retval is not None and case.prog_type in TEST_RUN:
            _run(prog, case.prog_type, side, kernel=False)
        return side
    finally:
        coll.close()


def _btf_as_libbpf(spec: CollectionSpec) -> None:
    """Drop the object's BTF where the kernel refuses it, in both loads, as libbpf goes on
    without BTF (clang leaves the arguments of some ``__naked`` functions unnamed, which
    the kernel refuses: "Invalid arg#1")."""
    if not spec.kernel_btf:
        return
    try:
        os.close(kernel.load_btf(spec.kernel_btf))
    except BPFError:
        spec.kernel_btf = b""


def long_mode() -> bool:
    return os.environ.get("PYEBPF_LONG", "") not in ("", "0")


def run_file(path: Path, slow: bool = False) -> tuple[list[Result], int]:
    """Every case of one object (the SLOW ones only with ``slow``): (results, programs left
    out for their type)."""
    spec, cs, aux, left_out = cases(path)
    _btf_as_libbpf(spec)
    return [Result(c, run_kernel(spec, c, aux), run_pyebpf(spec, c, aux))
            for c in cs if slow or c.key not in SLOW], left_out


def objects() -> list[Path]:
    return sorted(DATA.glob("verifier_*.o"))


# --- the expectations file ----------------------------------------------------------------

_LINE = re.compile(r"^(\S+) (verdict|errno|line|msg|retval)(?:\s+#.*)?$")


def read_expected(path: Path = EXPECTED) -> dict[tuple[str, str], str]:
    """(program key, kind) -> note, from the committed list of known disagreements."""
    out: dict[tuple[str, str], str] = {}
    for ln in path.read_text().splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        m = _LINE.match(ln)
        if not m:
            raise ValueError(f"{path.name}: cannot read {ln!r}")
        out[(m.group(1), m.group(2))] = ln.partition("#")[2].strip()
    return out


def expected_header() -> str:
    return (f"# Known disagreements of pyebpf with the live kernel (Linux {os.uname().release})\n"
            "# on the kernel's verifier selftests (tests/test_selftests.py): one per line,\n"
            "# PROGRAM KIND  # what differs.  KIND: verdict, errno, line (first error line),\n"
            "# msg (an __msg the kernel's log has and pyebpf's lacks), retval.  The test\n"
            "# fails on a disagreement not listed here and on a listed one that is gone.\n"
            "# Rewrite with: python tests/_selftests.py --update\n")


def _short(note: str, width: int = 200) -> str:
    note = " ".join(note.split())
    return note if len(note) <= width else note[:width - 3] + "..."


def write_expected(results: Iterable[Result], path: Path = EXPECTED) -> None:
    """Rewrite the list from ``results``; the entries of programs that did not run (the
    SLOW ones, without --long) are kept as they were."""
    results = list(results)
    ran = {r.case.key for r in results}
    kept = [f"{key} {kind}  # {note}" for (key, kind), note in read_expected(path).items()
            if key not in ran] if path.exists() else []
    lines = kept + [f"{r.case.key} {kind}  # {_short(note)}"
                    for r in results for kind, note in sorted(r.disagreements().items())]
    path.write_text(expected_header() + "".join(f"{ln}\n" for ln in sorted(lines)))


# --- the report ---------------------------------------------------------------------------

def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:6.1f}%" if d else "     - "


def report(by_file: dict[str, tuple[list[Result], int]]) -> str:
    rows = [f"{'file':40} {'progs':>5} {'left':>5} {'verdict':>8} {'err line':>8} "
            f"{'msg':>8} {'retval':>8}"]
    tot = [0, 0, 0, 0, 0, 0, 0, 0, 0]

    def row(name: str, v: list[int]) -> str:
        n, left, vok, both_fail, lok, nmsg, mok, nrun, rok = v
        return (f"{name:40} {n:5} {left:5} {_pct(vok, n):>8} {_pct(lok, both_fail):>8} "
                f"{_pct(mok, nmsg):>8} {_pct(rok, nrun):>8}")

    for name, (results, left) in sorted(by_file.items()):
        v = [len(results), left, 0, 0, 0, 0, 0, 0, 0]
        for r in results:
            d = r.disagreements()
            v[2] += "verdict" not in d
            if not r.kernel.ok and not r.ours.ok:
                v[3] += 1
                v[4] += "line" not in d
            if r.case.ann.msgs and msgs_found(r.kernel.log, r.case.ann.msgs):
                v[5] += 1
                v[6] += "msg" not in d
            if (r.ran and r.ours.retval is not None) or (r.ran and r.ours.run_errno):
                v[7] += 1
                v[8] += "retval" not in d
        tot = [a + b for a, b in zip(tot, v, strict=True)]
        rows.append(row(name.removesuffix(".o"), v))
    rows.append(row("TOTAL", tot))
    rows.append("verdict: agree %; err line: first error line agrees, of programs both refuse; "
                "msg: pyebpf's log has the __msg lines, of programs whose kernel log has them; "
                "retval: same BPF_PROG_TEST_RUN result, of __retval programs both accept")
    return "\n".join(rows)


def annotation_report(results: Iterable[Result]) -> str:
    """How the kernel itself meets the annotations (6.12's) on this kernel."""
    n = verdict = retval = nret = 0
    for r in results:
        a = r.case.ann
        if a.success or a.failure:
            n += 1
            verdict += r.kernel.ok == a.success
        if a.retval is not None and r.kernel.retval is not None and a.retval != POINTER_VALUE:
            nret += 1
            retval += r.kernel.retval == _s32(a.retval)
    return (f"the kernel meets __success/__failure on {verdict}/{n}, __retval on {retval}/{nret}")


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite the expectations file")
    ap.add_argument("--list", action="store_true", help="print every disagreement")
    ap.add_argument("--long", action="store_true", default=long_mode(),
                    help="also the SLOW programs (default with PYEBPF_LONG=1)")
    ap.add_argument("files", nargs="*", help="object names (default: all)")
    args = ap.parse_args(argv)
    paths = [p for p in objects() if not args.files or p.stem in args.files
             or p.name in args.files]
    by_file = {p.name: run_file(p, args.long) for p in paths}
    print(report(by_file))
    every = [r for rs, _ in by_file.values() for r in rs]
    print(annotation_report(every))
    if args.list:
        for r in every:
            for kind, note in sorted(r.disagreements().items()):
                print(f"{r.case.key} {kind}: {note}")
    if args.update:
        if args.files:
            ap.error("--update runs every file")
        write_expected(every)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
