"""bpf-to-bpf calls, callbacks and BTF func_info, with the live kernel as the reference.

- func_info as check_btf_func_early/check_btf_func check it (record size, the first
  record at 0, increasing offsets, FUNC type ids, one record per subprogram at its start),
  and callbacks (LD_IMM64 of BPF_PSEUDO_FUNC) refused without it or when not static;
- the level-1 log around calls: ``caller:``/``callee:``, ``returning from callee:``,
  ``to caller at N:``, ``fp[0]-8`` for a caller's stack, frame numbers;
- call chains: depth 8, 512 bytes of stack along a chain (check_max_stack_depth);
- PROG_LOAD (pyebpf's syscall layer, Program, the ELF loader) passing func_info along;
- the generator's extended seeds (calls, callbacks, cgroup skb): verdict and first line.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from pathlib import Path

import pytest

from pyebpf import asm, uapi
from pyebpf.btf import BTF
from pyebpf.elf import load_elf
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction
from pyebpf.objects import Program, btf_load
from pyebpf.runtime import Runtime
from pyebpf.verifier import FuncInfo, bpf_check, diff, funcinfo, subprog_starts
from pyebpf.verifier.gen import EXTENDED_FROM

SOCKET_FILTER = uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER
DATA = Path(__file__).parent / "data" / "elf"

# bpf_loop(4, cb, &fp[-8], 0) summing the indexes into fp-8; cb at insn 12
LOOP = asm.assemble("""
*(u64 *)(r10 - 8) = 0
r1 = 4
ld_pseudo r2, 4, 7
r3 = r10
r3 += -8
r4 = 0
call 181
r0 = *(u64 *)(r10 - 8)
exit
r3 = *(u64 *)(r2 + 0)
r3 += r1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
""", "llvm")
CB_START = 10


def _raw_kernel_load(kernel, insns: list[Instruction], btf_fd: int, records: bytes,
                     rec_size: int, count: int) -> tuple[int, str]:
    """PROG_LOAD with func_info exactly as given: (errno or 0, level-1 log)."""
    from pyebpf.isa import encode

    code = encode(insns)
    ib = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(1 << 16)
    fb = ctypes.create_string_buffer(records, max(len(records), 1))
    a = uapi.BpfAttr()
    a.prog_type, a.insn_cnt = SOCKET_FILTER, len(code) // 8
    a.insns, a.license = ctypes.addressof(ib), ctypes.addressof(lic)
    a.log_level, a.log_buf, a.log_size = 1, ctypes.addressof(log), len(log)
    a.prog_btf_fd, a.func_info_rec_size, a.func_info_cnt = btf_fd, rec_size, count
    a.func_info = ctypes.addressof(fb)
    try:
        os.close(kernel.sys_bpf(uapi.BpfCmd.BPF_PROG_LOAD, a))
        return 0, log.value.decode()
    except BPFError as exc:
        return exc.errno, log.value.decode()


def _ours(insns: list[Instruction], fi: FuncInfo | None) -> tuple[int, str]:
    try:
        return 0, bpf_check(insns, SOCKET_FILTER, func_info=fi, log_level=1).log
    except VerifierError as exc:
        return exc.errno, exc.log


FUNC_INFO_CASES = {
    # name: (records (insn_off, type id: 3 main, 4 static callback, 1 an INT), rec_size, count)
    "good": ([(0, 3), (CB_START, 4)], 8, 2),
    "good-rec-12": ([(0, 3), (CB_START, 4)], 12, 2),
    "callback-not-static": ([(0, 3), (CB_START, 3)], 8, 2),
    "count-mismatch": ([(0, 3)], 8, 1),
    "rec-size-4": ([(0, 3), (CB_START, 4)], 4, 2),
    "rec-size-10": ([(0, 3), (CB_START, 4)], 10, 2),
    "rec-size-300": ([(0, 3), (CB_START, 4)], 300, 2),
    "first-not-at-0": ([(1, 3), (CB_START, 4)], 8, 2),
    "offsets-not-increasing": ([(0, 3), (0, 4)], 8, 2),
    "layout-mismatch": ([(0, 3), (CB_START - 2, 4)], 8, 2),
    "type-not-func": ([(0, 3), (CB_START, 1)], 8, 2),
    "type-out-of-range": ([(0, 3), (CB_START, 99)], 8, 2),
    "count-zero": ([(0, 3), (CB_START, 4)], 8, 0),
    "nonzero-tail": ([(0, 3), (CB_START, 4)], 12, 2),
}


def _records(recs: list[tuple[int, int]], rec_size: int, tail: int = 0) -> bytes:
    pad = max(rec_size - 8, 0)
    return b"".join(struct.pack("<II", off, tid) + bytes(pad - 1) + bytes((tail,)) if pad
                    else struct.pack("<II", off, tid) for off, tid in recs)


@pytest.mark.parametrize("case", sorted(FUNC_INFO_CASES))
def test_func_info_checks_match_kernel(kernel, case: str) -> None:
    recs, rec_size, count = FUNC_INFO_CASES[case]
    blob = funcinfo.synthetic_btf(2)
    raw = _records(recs, rec_size, tail=case == "nonzero-tail")
    btf_fd = kernel.load_btf(blob)
    try:
        k = _raw_kernel_load(kernel, LOOP, btf_fd, raw, rec_size, count)
    finally:
        os.close(btf_fd)
    fi = FuncInfo(raw if 8 <= rec_size <= 252 else b"", rec_size, count, BTF(blob))
    ours = _ours(LOOP, fi)
    if k[0]:
        assert ours == k
    else:  # accepted: the same instructions processed (the state counts are pruning's)
        assert ours[0] == 0
        assert ours[1].split(" max_states")[0] == k[1].split(" max_states")[0]


def _void_subprog_btf() -> bytes:
    """BTF: [4] f0, global, returns int; [5] f1, static, returns void."""
    names = b"\0int\0f0\0f1\0"
    types = struct.pack("<IIII", 1, 0x01000000, 4, 32)   # [1] int
    types += struct.pack("<III", 0, 0x0D000000, 1)       # [2] int (void)
    types += struct.pack("<III", 0, 0x0D000000, 0)       # [3] void (void)
    types += struct.pack("<III", 5, 0x0C000001, 2)       # [4] FUNC f0, global
    types += struct.pack("<III", 8, 0x0C000000, 3)       # [5] FUNC f1, static
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(names))
    return hdr + types + names


@pytest.mark.parametrize("body", ["r0 = *(u8 *)skb[0]\nexit",
                                  "r2 = 0\nr3 = 0\ncall 12\nr0 = 0\nexit",
                                  "r0 = 0\nexit"], ids=["ld-abs", "tail-call", "plain"])
def test_void_subprogram_matches_kernel(kernel, body: str) -> None:
    """check_btf_func: a subprogram with LD_ABS or a tail call must return an int."""
    insns = asm.assemble("r6 = r1\nr1 = 0\ncall pc+2\nr0 = 0\nexit\n" + body, "llvm")
    blob, recs = _void_subprog_btf(), [(0, 4), (5, 5)]
    try:
        k = kernel.KernelProgram(insns, SOCKET_FILTER, btf=blob, func_info=recs, log_level=1)
        k.close()
        want = (0, k.log)
    except VerifierError as exc:
        want = (exc.errno, exc.log)
    assert _ours(insns, FuncInfo.from_records(recs, BTF(blob))) == want


def test_callback_without_func_info_matches_kernel(kernel) -> None:
    try:
        kernel.KernelProgram(LOOP, SOCKET_FILTER, log_level=1).close()
        k = (0, "")
    except VerifierError as exc:
        k = (exc.errno, exc.log)
    assert k[0] == errno.EINVAL and "missing btf func_info" in k[1]
    assert _ours(LOOP, None) == k


def test_subprogram_call_needs_no_func_info(kernel) -> None:
    """Privileged bpf-to-bpf calls load without BTF, in the kernel and in pyebpf."""
    insns = asm.assemble("r1 = 1\ncall pc+1\nexit\nr0 = r1\nexit", "llvm")
    kernel.KernelProgram(insns, SOCKET_FILTER).close()
    bpf_check(insns, SOCKET_FILTER)


# --- the log around calls ------------------------------------------------------------------

CALL_PROGRAMS = {
    "stack-pointer-down-then-clobbered-r2": """
r1 = 1
r6 = 5
*(u64 *)(r10 - 8) = r6
r2 = r10
r2 += -8
call pc+2
r0 = *(u64 *)(r2 + 0)
exit
r0 = *(u64 *)(r2 + 0)
*(u64 *)(r10 - 16) = r0
r0 += 1
exit""",
    "return-stack-pointer": """
call pc+1
exit
r0 = r10
r0 += -8
exit""",
    "callee-reads-callers-r6": """
r6 = 3
call pc+2
r0 = 0
exit
r0 = r6
exit""",
    "callee-reads-caller-stack-out-of-bounds": """
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call pc+2
r0 = 0
exit
r0 = *(u64 *)(r1 + 8)
exit""",
    "nested-then-uninit-r3": """
r1 = 2
call pc+3
r1 = 0
r0 = r3
exit
r1 += 1
call pc+1
exit
r0 = r1
exit""",
    "recursion": """
r1 = 0
call pc+1
exit
r1 += 1
call pc-2
exit""",
    "combined-stack-too-large": """
*(u64 *)(r10 - 400) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 200) = 0
r0 = 0
exit""",
}


@pytest.mark.parametrize("name", sorted(CALL_PROGRAMS))
def test_call_log_matches_kernel(kernel, name: str) -> None:
    """Whole level-1 log (verdict, every trace line, the error) identical to the kernel's."""
    insns = asm.assemble(CALL_PROGRAMS[name], "llvm")
    try:
        kernel.KernelProgram(insns, SOCKET_FILTER, log_level=1).close()
        k = (0, "")  # accepted: the kernel keeps only the statistics at level 1
    except VerifierError as exc:
        k = (exc.errno, exc.log)
    assert k[0], f"{name}: meant to be refused"
    assert _ours(insns, None) == k


def _line(kernel, insns: list[Instruction]) -> str:
    try:
        kernel.KernelProgram(insns, SOCKET_FILTER, log_level=1).close()
        return "ok"
    except VerifierError as exc:
        return diff.error_line(exc.log)


def test_call_chain_depth_and_stack(kernel) -> None:
    """Eight frames at most; 512 bytes of stack along one chain, each frame rounded up
    to 16 bytes (two 256-byte frames fit, 256 + 264 does not)."""
    head, link = "r1 = 0\ncall pc+1\nexit\n", "r1 += 1\ncall pc+1\nexit\n"
    two = "*(u64 *)(r10 - 256) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - {}) = 0\nr0 = 0\nexit"
    cases = {head + link * 6 + "r0 = r1\nexit": "ok",
             head + link * 7 + "r0 = r1\nexit": "the call stack of 9 frames is too deep",
             two.format(256): "ok",
             two.format(264): "combined stack size of 2 calls is 528. Too large"}
    for src, want in cases.items():
        insns = asm.assemble(src, "llvm")
        assert _line(kernel, insns) == want
        try:
            bpf_check(insns, SOCKET_FILTER)
            ours = "ok"
        except VerifierError as exc:
            ours = exc.reason
        assert ours == want


# --- PROG_LOAD, Program and the ELF loader pass func_info ----------------------------------

def test_program_with_func_info_runs_callback() -> None:
    rt = Runtime()
    blob, recs = funcinfo.synthetic(subprog_starts(LOOP))
    fd = btf_load(blob, runtime=rt)
    try:
        prog = Program(LOOP, SOCKET_FILTER, runtime=rt, btf_fd=fd, func_info=recs)
    finally:
        rt.close(fd)
    assert prog.test_run(bytes(64)).retval == 0 + 1 + 2 + 3
    prog.close()
    with pytest.raises(VerifierError, match="missing btf func_info") as exc:
        Program(LOOP, SOCKET_FILTER, runtime=rt)
    assert exc.value.errno == errno.EINVAL


def test_program_func_info_bad_btf_fd() -> None:
    """prog_btf_fd must be a BTF object: EBADF for no fd, EINVAL for another kind."""
    rt = Runtime()
    _, recs = funcinfo.synthetic(subprog_starts(LOOP))
    with pytest.raises(BPFError) as exc:
        Program(LOOP, SOCKET_FILTER, runtime=rt, btf_fd=999, func_info=recs)
    assert exc.value.errno == errno.EBADF
    other = Program(asm.assemble("r0 = 0\nexit", "llvm"), SOCKET_FILTER, runtime=rt)
    with pytest.raises(BPFError) as exc:
        Program(LOOP, SOCKET_FILTER, runtime=rt, btf_fd=other.fd, func_info=recs)
    assert exc.value.errno == errno.EINVAL
    other.close()


def test_elf_loader_passes_func_info() -> None:
    """full.o's xdp_main calls bpf_loop with a callback: it loads with its BTF func_info,
    and is refused as the kernel would refuse it without."""
    spec = load_elf(DATA / "full.v3.o")
    with spec.load(Runtime()) as coll:
        assert "xdp_main" in coll.programs
    spec.kernel_btf = b""  # as a loader that drops the object's BTF
    with pytest.raises(VerifierError, match="missing btf func_info"):
        spec.load(Runtime(), programs=["xdp_main"])


# --- generated programs with calls, callbacks and cgroup skb ------------------------------

def test_extended_seeds_agree_with_kernel(kernel) -> None:
    """Verdict and first error line on 150 extended seeds: all identical."""
    outs = [diff.compare(s) for s in range(EXTENDED_FROM, EXTENDED_FROM + 150)]
    bad = [(o.seed, o.defect, o.kernel_line, o.our_line) for o in outs if not o.line_agrees]
    assert not bad, bad[:5]
    assert any(o.kernel_ok for o in outs) and any(not o.kernel_ok for o in outs)
