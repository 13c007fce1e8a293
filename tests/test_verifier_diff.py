"""Differential tests: pyebpf's verifier against the live kernel's, on generated programs.

Default: 300 seeds.  ``PYEBPF_LONG=1``: 5,000 seeds.  Targets from issue 4:
verdict agreement >= 99%, first error line identical >= 90%.
"""

from __future__ import annotations

import os

import pytest

from pyebpf.verifier import diff, gen

LONG = os.environ.get("PYEBPF_LONG") == "1"
SEEDS = range(0, 5000 if LONG else 300)


def test_agreement_with_kernel(kernel: None) -> None:
    outs = [diff.compare(s) for s in SEEDS]
    n = len(outs)
    verdict = sum(o.verdict_agrees for o in outs) / n
    line = sum(o.line_agrees for o in outs) / n
    bad = [(o.seed, o.defect, o.kernel_ok, o.kernel_line, o.our_line)
           for o in outs if not o.verdict_agrees]
    print(f"verdict agreement {verdict:.2%}, first error line agreement {line:.2%}")
    assert verdict >= 0.99, bad[:10]
    assert line >= 0.90


def test_generator_covers_both_verdicts(kernel: None) -> None:
    outs = [diff.compare(s) for s in range(40)]
    assert any(o.kernel_ok for o in outs)
    assert any(not o.kernel_ok for o in outs)


def test_cli_help(capsys) -> None:
    """``--help`` prints the usage (argparse) instead of failing on int('--help')."""
    import pytest

    with pytest.raises(SystemExit) as exc:
        diff.main(["diff", "--help"])
    assert exc.value.code == 0
    assert "usage: python -m pyebpf.verifier.diff" in capsys.readouterr().out


def test_cli_positional_and_log(kernel: None, capsys) -> None:
    assert diff.main(["diff", "0", "3"]) == 0
    assert "seeds 0..2: 3 programs" in capsys.readouterr().out
    assert diff.main(["diff", "--log", "0", "2", "--level", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("level 1: whole log identical for") and "level 2" not in out


# --- issue 9's forms (seeds from gen.GEN2_FROM) -----------------------------------------
V2_SEEDS = range(gen.GEN2_FROM, gen.GEN2_FROM + (3000 if LONG else 150))


def test_v2_agreement_with_kernel(kernel: None) -> None:
    """Verdicts and first error lines on the new forms (callbacks then packet/ctx, narrow
    ctx loads, helpers, atomics on spills, byte swaps, LD_ABS, ALU32 div, dead code).
    Measured on 20300..22999: verdicts 99.4%, first error lines 97.2%; what remains is
    helper availability per program type and helpers pyebpf does not have."""
    outs = [diff.compare(s) for s in V2_SEEDS]
    n = len(outs)
    verdict = sum(o.verdict_agrees for o in outs) / n
    line = sum(o.line_agrees for o in outs) / n
    bad = [(o.seed, o.kernel_ok, o.kernel_line, o.our_line)
           for o in outs if not o.verdict_agrees]
    print(f"v2: verdict agreement {verdict:.2%}, first error line agreement {line:.2%}")
    assert verdict >= 0.98, bad[:10]
    assert line >= 0.92


def test_v2_runs_match_kernel(kernel: None) -> None:
    """Programs both accept return what the kernel's test_run returns.  The one known
    divergence (issue 9 part A, another branch's fix): a packet or ctx read after a
    bpf_loop callback faults in pyebpf (EFAULT); anything else fails this test."""
    runs = [x for x in (diff.run_compare(s) for s in V2_SEEDS) if x is not None]
    assert len(runs) >= 20
    unexplained = [x for x in runs if not x.agrees and not (
        x.ours == "errno 14" and gen.generate(x.seed).func_info is not None)]
    assert not unexplained, unexplained[:5]


def test_v2_generator_covers_the_new_forms() -> None:
    """Seeds from GEN2_FROM produce each form issue 9 asks for; older seeds none."""
    seen: set[str] = set()
    helpers: set[int] = set()
    for s in range(gen.GEN2_FROM, gen.GEN2_FROM + 200):
        gp = gen.generate(s)
        for i in gp.insns:
            c = i.code
            if c in (0xD4, 0xDC, 0xD7):
                seen.add("bswap")
            elif c in (0xC3, 0xDB) and i.imm & 1:
                seen.add("atomic fetch")
            elif c & 0xE7 in (0x20, 0x40) and c & 7 == 0:
                seen.add("ld_abs/ind")
            elif c in (0x34, 0x94):
                seen.add("alu32 div/mod")
            elif c in (0x6C, 0x7C, 0xCC):
                seen.add("alu32 shift by register")
            elif c == 0x85 and i.src == 0:
                helpers.add(i.imm)
            elif c in (0x71, 0x69) and i.src == 1:
                seen.add("narrow ctx load")
    assert seen == {"bswap", "atomic fetch", "ld_abs/ind", "alu32 div/mod",
                    "alu32 shift by register", "narrow ctx load"}
    assert len(helpers) >= 30
    assert not any(i.code in (0xD4, 0xDC, 0xD7) for s in range(0, 50)
                   for i in gen.generate(s).insns)


# a storage helper given a map of another type: the kernel refuses it
# (check_map_func_compatibility); pyebpf accepted it until a fresh generator seed showed it
@pytest.mark.parametrize("helper", [156, 157, 145, 146, 210, 211])  # task/inode/cgrp storage
def test_storage_helpers_take_only_their_map_type(kernel, helper: int) -> None:
    from pyebpf import asm, uapi
    from pyebpf.errors import VerifierError
    from pyebpf.objects import Map, Program

    mt = uapi.BpfMapType.BPF_MAP_TYPE_ARRAY
    km = kernel.KernelMap(mt, 4, 32, 4)
    pm = Map(mt, 4, 32, 4)
    text = "ld_pseudo r1, 1, {fd}\nr2 = 0\nr3 = 0\nr4 = 0\ncall {h}\nr0 = 0\nexit"
    pt = uapi.BpfProgType.BPF_PROG_TYPE_SCHED_CLS
    try:
        with pytest.raises(VerifierError) as k:
            kernel.KernelProgram(asm.assemble(text.format(fd=km.fd, h=helper), "llvm"), pt,
                                 log_level=1)
        with pytest.raises(VerifierError) as p:
            Program(asm.assemble(text.format(fd=pm.fd, h=helper), "llvm"), pt, log_level=1)
        assert p.value.errno == k.value.errno
        assert diff.error_line(p.value.log) == diff.error_line(k.value.log)
    finally:
        km.close()
        pm.close()
