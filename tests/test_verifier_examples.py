"""pyebpf's verifier on every clang-compiled program in the repository, against the kernel's.

Each program of ``examples/*.o`` and ``tests/data/elf/*.o`` is read with
:func:`pyebpf.elf.load_elf`, loaded through pyebpf's PROG_LOAD (which runs the
verifier) and through the live kernel's.  The verdicts must be the same; for an
accepted program pyebpf's processed-instruction count must be within 2x of the
kernel's (pruning works), and equal where pyebpf already explores as the kernel
does (programs without the kernel's precision tracking effects).  Accepted programs
must then run through PROG_TEST_RUN on the capture's packets without a runtime fault.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyebpf import uapi
from pyebpf.elf import load_elf, load_into_kernel
from pyebpf.errors import BPFError, VerifierError
from pyebpf.pcap import read_pcap
from pyebpf.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
OBJECTS = sorted([*ROOT.glob("examples/*.o"), *ROOT.glob("tests/data/elf/*.o")])
PACKETS = [p.data for p in read_pcap(ROOT / "examples" / "traffic.pcap")][:24]
PT = uapi.BpfProgType
PACKET_TYPES = {PT.BPF_PROG_TYPE_XDP, PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_SCHED_ACT,
                PT.BPF_PROG_TYPE_SOCKET_FILTER}
# programs whose processed count differs from the kernel's for reasons other than pruning:
# pyebpf does not read constants out of frozen .rodata, so its states (and checkpoints)
# differ from the kernel's on these paths (xdp_firewall: 256 against the kernel's 260)
# handle_return (examples/py_latency.bpf.c, a bounded log2 loop): 967 processed against the
# kernel's 975 (issue 10 found it; a verifier precision gap, not the events code)
NOT_EXACT = {"xdp_firewall", "handle_return"}


def _cases() -> list[pytest.param]:
    out = []
    for path in OBJECTS:
        for name in load_elf(path).programs:
            rel = path.relative_to(ROOT)
            out.append(pytest.param(path, name, id=f"{rel.parent.name}/{path.stem}/{name}"))
    return out


def _processed(log: str) -> int:
    m = re.search(r"processed (\d+) insns", log)
    assert m, log[-500:]
    return int(m.group(1))


def _pyebpf_load(path: Path, name: str) -> tuple[object | None, str, BPFError | None]:
    """Load one program in a fresh runtime: (collection or None, log, error)."""
    spec = load_elf(path)
    try:
        coll = spec.load(Runtime(), programs=[name], log_level=1)
    except BPFError as exc:
        return None, getattr(exc, "log", ""), exc
    return coll, coll.programs[name].log, None


@pytest.mark.parametrize(("path", "name"), _cases())
def test_same_verdict_as_kernel(kernel, path: Path, name: str) -> None:
    spec = load_elf(path)
    try:
        kc = load_into_kernel(spec, [name])
    except VerifierError as exc:
        kernel_ok, kernel_log = False, exc.log
    except BPFError as exc:  # refused before the verifier (CO-RE, BTF): no log
        kernel_ok, kernel_log = False, str(exc)
    else:
        kernel_ok, kernel_log = True, kc.programs[name].log
        kc.close()
    coll, log, err = _pyebpf_load(path, name)
    assert (err is None) == kernel_ok, f"kernel ok={kernel_ok}: {err}\n{kernel_log[-800:]}"
    if not kernel_ok:
        return
    ours, theirs = _processed(log), _processed(kernel_log)
    assert theirs / 2 <= ours <= theirs * 2, (ours, theirs)
    if name not in NOT_EXACT:
        assert ours == theirs
    coll.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("path", "name"), _cases())
def test_accepted_programs_run(path: Path, name: str) -> None:
    """What the verifier accepts runs through PROG_TEST_RUN without a runtime fault."""
    coll, _, err = _pyebpf_load(path, name)
    if err is not None:
        pytest.skip(f"refused at load, as by the kernel: {err}")
    try:
        prog = coll.programs[name]  # type: ignore[attr-defined]
        if prog.prog_type in PACKET_TYPES:
            for pkt in PACKETS:
                prog.test_run(pkt)
        elif prog.prog_type in (PT.BPF_PROG_TYPE_RAW_TRACEPOINT, PT.BPF_PROG_TYPE_SYSCALL):
            prog.test_run(None, bytes(96))
        else:
            pytest.skip(f"{PT(prog.prog_type).name} programs have no PROG_TEST_RUN")
    finally:
        coll.close()  # type: ignore[attr-defined]
