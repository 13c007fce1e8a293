"""Soundness fuzz: what pyebpf's verifier accepts never faults when pyebpf runs it.

Programs come from the verifier's generator (:mod:`pyebpf.verifier.gen`), from
one- to three-field mutations of them (offsets and immediates nudged, which puts
accesses right at and past the bounds the verifier must enforce), and from
templates that call the helpers the generator does not (skb_load_bytes,
csum_diff, xdp_adjust_head, bpf_loop with a callback writing the caller's stack,
strtol, probe_read_kernel) with random sizes and offsets.  Each accepted program is
loaded through PROG_LOAD and run through PROG_TEST_RUN on random packets of many
lengths with random map contents: the runtime's bounds checks (MemoryAccessError)
or a helper's pointer checks (HelperError) firing would be a soundness bug of the
verifier.  Default sizes keep this quick; ``PYEBPF_LONG=1`` fuzzes 5,000 seeds,
``PYEBPF_SOUNDNESS_SEEDS=N`` N of each kind.
"""

from __future__ import annotations

import errno
import os
import random
from collections.abc import Sequence

import pytest

from pyebpf import asm, uapi
from pyebpf.btf import BTF
from pyebpf.errors import BPFError, ExecutionError, VerifierError
from pyebpf.isa import Instruction
from pyebpf.objects import Map, Program, btf_load
from pyebpf.runtime import Runtime
from pyebpf.verifier import FuncInfo, MapInfo, bpf_check, diff, funcinfo, gen, subprog_starts

LONG = os.environ.get("PYEBPF_LONG") == "1"
# PYEBPF_SOUNDNESS_SEEDS sets both counts for a standing campaign (e.g. 1000000)
SEEDS = int(os.environ.get("PYEBPF_SOUNDNESS_SEEDS", 5000 if LONG else 400))
MUTATED_SEEDS = int(os.environ.get("PYEBPF_SOUNDNESS_SEEDS", 1000 if LONG else 150))
PACKET_LENGTHS = (14, 15, 20, 34, 40, 54, 60, 64, 100, 200, 1500)
PT = uapi.BpfProgType


def _run_accepted(insns: Sequence[Instruction], prog_type: int, maps: dict[int, MapInfo],
                  rnd: random.Random, runs: int, btf: bytes | None = None,
                  func_info: Sequence[tuple[int, int]] = (), attach: int = 0) -> None:
    """Load through PROG_LOAD in a fresh runtime and run on random inputs; faults fail."""
    rt = Runtime()
    live = {i: Map(m.map_type, m.key_size or None, m.value_size or None, m.max_entries,
                   runtime=rt) for i, m in maps.items()}
    btf_fd = btf_load(btf, runtime=rt) if btf is not None else 0
    prog = Program(diff.with_map_fds(insns, {i: m.fd for i, m in live.items()}), prog_type,
                   runtime=rt, btf_fd=btf_fd, func_info=func_info, expected_attach_type=attach)
    for i, m in maps.items():
        if m.map_type in (uapi.BpfMapType.BPF_MAP_TYPE_HASH, uapi.BpfMapType.BPF_MAP_TYPE_ARRAY):
            for k in range(m.max_entries):
                live[i][k.to_bytes(4, "little")] = rnd.randbytes(m.value_size)
    try:
        for _ in range(runs):
            data = rnd.randbytes(rnd.choice(PACKET_LENGTHS))
            try:
                prog.test_run(data)
            except ExecutionError as exc:
                pytest.fail(f"accepted program faulted: {exc!r}\n" +
                            asm.disassemble(list(insns), "llvm"))
            except BPFError as exc:
                # an input PROG_TEST_RUN itself refuses, as the kernel's does (a frame
                # too short for the IPv4/IPv6 header its ethertype names): not a run
                if exc.errno != errno.EINVAL:
                    raise
    finally:
        prog.close()
        for m in live.values():
            m.close()


def _accepts(insns: Sequence[Instruction], prog_type: int, maps: dict[int, MapInfo],
             func_info: FuncInfo | None = None) -> bool:
    try:
        bpf_check(insns, prog_type, maps=maps, func_info=func_info)
    except VerifierError:
        return False
    return True


def test_generated_programs_never_fault() -> None:
    accepted = 0
    for seed in range(SEEDS):
        gp = gen.generate(seed)
        if _accepts(gp.insns, gp.prog_type, gp.maps):
            accepted += 1
            _run_accepted(gp.insns, gp.prog_type, gp.maps, random.Random(seed), 12)
    assert accepted >= SEEDS // 10  # the generator still makes valid programs


def test_extended_generated_programs_never_fault() -> None:
    """The generator's extended seeds: bpf-to-bpf calls, bpf_loop callbacks, cgroup skb."""
    accepted = 0
    n = SEEDS // 2
    for seed in range(gen.EXTENDED_FROM, gen.EXTENDED_FROM + n):
        gp = gen.generate(seed)
        btf = gp.btf
        fi = FuncInfo.from_records(gp.func_info, BTF(btf)) if btf is not None else None
        try:
            bpf_check(gp.insns, gp.prog_type, maps=gp.maps, func_info=fi,
                      expected_attach_type=gp.expected_attach_type)
        except VerifierError:
            continue
        accepted += 1
        _run_accepted(gp.insns, gp.prog_type, gp.maps, random.Random(seed), 8, btf,
                      gp.func_info or (), gp.expected_attach_type)
    assert accepted >= n // 10


def mutate(insns: list[Instruction], rnd: random.Random) -> list[Instruction]:
    """Nudge the offset or immediate of one to three instructions (not calls, not LD_IMM64)."""
    out = list(insns)
    for _ in range(rnd.randint(1, 3)):
        k = rnd.randrange(len(out))
        i = out[k]
        if i.slots == 2 or i.code in (0x85, 0x95):
            continue
        if rnd.random() < 0.5:
            off = max(-32768, min(32767, i.off + rnd.choice((-8, -4, -2, -1, 1, 2, 4, 8))))
            out[k] = Instruction(i.code, i.dst, i.src, off, i.imm, i.pc)
        else:
            imm = max(-(1 << 31), min((1 << 31) - 1, i.imm + rnd.choice((-8, -1, 1, 8, 64))))
            out[k] = Instruction(i.code, i.dst, i.src, i.off, imm, i.pc)
    return out


def test_mutated_programs_never_fault() -> None:
    for seed in range(MUTATED_SEEDS):
        gp = gen.generate(seed)
        rnd = random.Random(seed * 7 + 1)
        for _ in range(6):
            insns = mutate(gp.insns, rnd)
            if _accepts(insns, gp.prog_type, gp.maps):
                try:
                    _run_accepted(insns, gp.prog_type, gp.maps, rnd, 6)
                except VerifierError as exc:
                    pytest.fail(f"PROG_LOAD refused what bpf_check accepted: {exc}")
                except BPFError:
                    continue  # refused by PROG_LOAD's structural checks: not run


# --- helper templates ---------------------------------------------------------------------

def _xdp_adjust(rnd: random.Random) -> str:
    """Packet pointers must be re-derived after bpf_xdp_adjust_head."""
    delta, off, recheck = rnd.choice((-8, 4, 14, 20)), rnd.randrange(0, 40), rnd.random() < 0.5
    reload = ("r2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\nr4 = r2\nr4 += 40\n"
              "if r4 > r3 goto +2\n") if recheck else "r4 = r2\nif r4 > r3 goto +2\n"
    return f"""r6 = r1
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 40
if r4 > r3 goto +{10 + (3 if recheck else 0)}
r7 = r2
r1 = r6
r2 = {delta}
call 44
r2 = r7
r3 = *(u32 *)(r6 + 4)
{reload}r0 = *(u8 *)(r2 + {off})
exit
r0 = 2
exit"""


def _skb_load(rnd: random.Random) -> str:
    size, at = rnd.choice((1, 4, 8, 16, 24)), rnd.choice((-8, -16, -24, -32))
    return f"""r1 = r1
r2 = {rnd.randrange(0, 64)}
r3 = r10
r3 += {at}
r4 = {size}
call 26
r0 = *(u8 *)(r10 {at:+d})
exit"""


def _csum_diff(rnd: random.Random) -> str:
    size = rnd.choice((0, 4, 8, 12, 16))
    return f"""r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -16
r2 = {size}
r3 = 0
r4 = 0
r5 = {rnd.randrange(1 << 16)}
call 28
exit"""


def _loop(rnd: random.Random) -> str:
    """bpf_loop whose callback writes through the ctx pointer into the caller's stack."""
    n, idx_mask = rnd.choice((1, 4, 100)), rnd.choice((0, 1, 3))
    return f"""r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
r1 = {n}
r2 = 0 ll
r3 = r10
r3 += -16
r4 = 0
call 181
r1 = *(u64 *)(r10 - 16)
r1 &= {idx_mask}
r1 <<= 3
r2 = r10
r2 += -16
r2 += r1
r0 = *(u64 *)(r2 + 0)
exit
r0 = *(u64 *)(r2 + 0)
r0 += 1
*(u64 *)(r2 + 0) = r0
r0 = 0
exit"""


def _strtol(rnd: random.Random) -> str:
    return f"""r1 = 0x3332
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = {rnd.choice((1, 2, 4, 8))}
r3 = 0
r4 = r10
r4 += {rnd.choice((-16, -24))}
call 105
r0 = *(u64 *)(r10 - 16)
exit"""


def _probe_read(rnd: random.Random) -> str:
    size = rnd.choice((1, 8, 16, 32))
    return f"""r1 = r10
r1 += -32
r2 = {size}
r3 = 0
call 113
r0 = *(u8 *)(r10 - 32)
exit"""


TEMPLATES = {
    "xdp_adjust_head": (PT.BPF_PROG_TYPE_XDP, _xdp_adjust),
    "skb_load_bytes": (PT.BPF_PROG_TYPE_SCHED_CLS, _skb_load),
    "csum_diff": (PT.BPF_PROG_TYPE_SCHED_CLS, _csum_diff),
    "loop": (PT.BPF_PROG_TYPE_XDP, _loop),
    "strtol": (PT.BPF_PROG_TYPE_SOCKET_FILTER, _strtol),
    "probe_read_kernel": (PT.BPF_PROG_TYPE_XDP, _probe_read),
}


def _with_callback(insns: list[Instruction]) -> list[Instruction]:
    """Point the template's ``r2 = 0 ll`` at the callback after the first exit (bpf_loop)."""
    out = []
    exits = [i.pc for i in insns if i.code == 0x95]
    for i in insns:
        if i.slots == 2 and exits:
            i = Instruction(i.code, i.dst, 4, i.off, exits[0] + 1 - i.pc - 1, i.pc)
        out.append(i)
    return out


@pytest.mark.parametrize("helper", sorted(TEMPLATES))
def test_helper_templates_never_fault(helper: str, kernel) -> None:
    prog_type, make = TEMPLATES[helper]
    rnd = random.Random(helper)
    verdicts = set()
    for _ in range(12):
        insns = _with_callback(asm.assemble(make(rnd), "llvm"))
        # callbacks need BTF func_info, in the kernel and in pyebpf alike
        btf, records = funcinfo.synthetic(subprog_starts(insns))
        fi = FuncInfo.from_records(records, BTF(btf))
        ours = _accepts(insns, prog_type, {}, fi)
        try:
            kernel.KernelProgram(insns, prog_type, btf=btf, func_info=records).close()
            theirs = True
        except VerifierError:
            theirs = False
        assert ours == theirs, asm.disassemble(insns, "llvm")
        verdicts.add(ours)
        if ours:
            _run_accepted(insns, prog_type, {}, rnd, 8, btf, records)
    assert True in verdicts
