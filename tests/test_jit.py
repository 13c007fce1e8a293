"""The x86-64 JIT: selection, native image handling, and differential fuzzing against the
interpreter.

The interpreter's own tests (test_core, test_conformance, test_kernel_diff, test_examples)
already run on both engines through the ``engine`` fixture; this file adds what only a
JIT has (W^X mappings, OBJ_GET_INFO's jited fields, ``disasm --jited``, the switches) and
two fuzzers whose programs nobody shaped for the JIT:

* random *unverified* programs (any legal encoding, wild pointers, helper calls, bpf-to-bpf
  calls, tiny budgets): both engines must end the same way - the same r0 and registers,
  or the same exception with the same pc, address and size - and leave memory the same;
* the verifier generator's programs (pyebpf.verifier.gen), loaded through PROG_LOAD into
  two runtimes (jit off / on) and test_run on the same packets and map contents.

``PYEBPF_LONG=1`` runs 50,000 unverified programs and 3,000 generator seeds.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import re
import subprocess
import sys

import pytest

from pyebpf import VM, Executable, _jit, uapi
from pyebpf.errors import BPFError, ExecutionError, ProgramExit
from pyebpf.isa import BPF_PSEUDO_CALL, SPECS, Form, Instruction
from pyebpf.verifier import diff, gen

LONG = os.environ.get("PYEBPF_LONG") == "1"
UNVERIFIED = 50_000 if LONG else 3000
GEN_SEEDS = 3000 if LONG else 120
M64 = (1 << 64) - 1

pytestmark = pytest.mark.skipif(not _jit.SUPPORTED, reason="the JIT emits x86-64 code only")


def test_every_isa_row_has_an_emitter_entry() -> None:
    assert set(_jit.KIND_OF) == {s.ident for s in SPECS}
    assert all(entry[0] != 0 for entry in _jit.KIND_OF.values())   # 0: K_NONE


def _maps_of(addr: int) -> str | None:
    """The permissions of the mapping holding ``addr`` in /proc/self/maps."""
    with open("/proc/self/maps") as f:
        for line in f:
            span, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in span.split("-"))
            if lo <= addr < hi:
                return perms
    return None


def test_native_code_is_never_writable_and_is_unmapped_with_the_program() -> None:
    exe = Executable([Instruction(0xB7, 0, 0, 0, 7, 0), Instruction(0x95, pc=1)], jit=True)
    assert exe.jited and exe.jit_error is None
    entry = exe.jit_image.entry
    assert _maps_of(entry) == "r-xp"
    assert VM().run(exe) == 7
    del exe
    assert _maps_of(entry) != "r-xp"


def test_switches() -> None:
    code = [Instruction(0xB7, 0, 0, 0, 1, 0), Instruction(0x95, pc=1)]
    assert not Executable(code, jit=False).jited
    assert Executable(code, jit=True).jited
    try:
        _jit.set_enabled(False)
        assert not Executable(code).jited
        _jit.set_enabled(True)
        assert Executable(code).jited
    finally:
        _jit.set_enabled(None)
    env = dict(os.environ, PYEBPF_JIT="0")
    out = subprocess.run([sys.executable, "-c", "from pyebpf import Executable as E, isa;"
                          "print(E([isa.Instruction(0x95)]).jited)"], env=env,
                         capture_output=True, text=True, check=True, cwd=_root())
    assert out.stdout.strip() == "False"


def test_other_architectures_interpret(monkeypatch) -> None:
    monkeypatch.setattr(_jit, "SUPPORTED", False)
    exe = Executable([Instruction(0xB7, 0, 0, 0, 3, 0), Instruction(0x95, pc=1)], jit=True)
    assert not exe.jited and "no JIT" in exe.jit_error
    assert VM().run(exe) == 3


def _root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(rt, code: list[Instruction], jit: bool | None = None):
    from pyebpf.isa import encode
    from pyebpf.runtime import LoadRequest

    req = LoadRequest(uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, encode(code), jit=jit)
    return rt.load_program(req)[0]


def test_runtime_switch_and_per_load_override() -> None:
    from pyebpf.runtime import Runtime

    code = [Instruction(0xB7, 0, 0, 0, 0, 0), Instruction(0x95, pc=1)]
    assert not _load(Runtime(jit=False), code).core.jited
    assert _load(Runtime(jit=False), code, jit=True).core.jited
    assert not _load(Runtime(jit=True), code, jit=False).core.jited
    assert _load(Runtime(jit=True), code).core.jited


def test_obj_get_info_reports_the_native_image() -> None:
    from pyebpf.isa import encode
    from pyebpf.runtime import Runtime
    from pyebpf.syscall import bpf

    rt = Runtime(jit=True)
    code = [Instruction(0xB7, 0, 0, 0, 0, 0), Instruction(0x95, pc=1)]
    attr = uapi.BpfAttr()
    insns = ctypes.create_string_buffer(encode(code))
    lic = ctypes.create_string_buffer(b"GPL")
    attr.prog_type = uapi.BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER
    attr.insn_cnt, attr.insns, attr.license = 2, ctypes.addressof(insns), ctypes.addressof(lic)
    fd = bpf(uapi.BpfCmd.BPF_PROG_LOAD, attr, runtime=rt)
    try:
        image = rt.get_prog(fd).core.jit_image.code
        for ulen in (0, 16, len(image) + 100):
            info = uapi.BpfProgInfo()
            buf = ctypes.create_string_buffer(max(ulen, 1))
            info.jited_prog_len, info.jited_prog_insns = ulen, ctypes.addressof(buf)
            q = uapi.BpfAttr()
            q.info.bpf_fd, q.info.info_len = fd, ctypes.sizeof(info)
            q.info.info = ctypes.addressof(info)
            bpf(uapi.BpfCmd.BPF_OBJ_GET_INFO_BY_FD, q, runtime=rt)
            assert info.jited_prog_len == len(image)
            n = min(ulen, len(image))
            assert buf.raw[:n] == image[:n]
    finally:
        rt.close(fd)


def test_disasm_jited(tmp_path) -> None:
    from pyebpf.isa import encode

    raw = tmp_path / "p.bin"
    raw.write_bytes(encode([Instruction(0xB7, 0, 0, 0, 5, 0), Instruction(0x95, pc=1)]))
    out = subprocess.run([sys.executable, "-m", "pyebpf", "--json", "disasm", "--jited",
                          str(raw)], capture_output=True, text=True, check=True, cwd=_root())
    prog = json.loads(out.stdout)[0]
    texts = [row["text"] for row in prog["insns"]]
    assert any(re.fullmatch(r"mov eax, 5", t) for t in texts), texts
    assert sum(len(bytes.fromhex(r["raw"])) for r in prog["insns"]) == prog["jited_prog_len"]
    assert texts[0] == "push rbx" and texts[-1] == "ret"


def test_objdump_and_capstone_decode_the_same_instructions() -> None:
    import shutil

    from pyebpf import jitdump

    pytest.importorskip("capstone")
    if shutil.which("objdump") is None:
        pytest.skip("no objdump")
    exe = Executable([Instruction(0x18, 1, 0, 0, 1 << 40, 0), Instruction(0x79, 0, 1, 8, 0, 2),
                      Instruction(0x95, pc=3)], jit=True)
    caps = jitdump.disassemble(exe.jit_image.code)
    objd = jitdump._objdump(exe.jit_image.code)
    assert [(o, raw) for o, raw, _ in caps] == [(o, raw) for o, raw, _ in objd]


# --- differential fuzzing ---------------------------------------------------------------

_BY_FORM: dict[Form, list] = {}
for _s in SPECS:
    _BY_FORM.setdefault(_s.form, []).append(_s)
_MEM_FORMS = (Form.LDX, Form.ST, Form.STX, Form.ATOMIC)
_IMMS = (0, 1, -1, 2, 7, 8, 16, 31, 32, 33, 63, 64, 0x7FFFFFFF, -0x80000000, 0xFF, 0xFFFF)


def _random_program(rnd: random.Random) -> list[Instruction]:
    """A legal (check_program-clean) program that no verifier would accept, usually."""
    n = rnd.randint(2, 24)
    out: list[tuple] = []
    for _ in range(n):
        form = rnd.choice(list(_BY_FORM))
        spec = rnd.choice(_BY_FORM[form])
        reg = lambda: rnd.choice((0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))  # noqa: E731
        dst, src, off = reg(), reg(), rnd.choice((0, 0, 1, 2, 4, 8, -8, -16, -1, 60, -512))
        imm = rnd.choice(_IMMS) if rnd.random() < 0.7 else rnd.randint(-(1 << 31), (1 << 31) - 1)
        if spec.variant is not None:
            field, value = spec.variant
            if field == "off":
                off = value
            else:
                imm = value
        if form in (Form.ALU_REG, Form.ALU_IMM, Form.NEG, Form.END, Form.MOVSX, Form.LDX,
                    Form.LDDW) and dst == 10:
            dst = rnd.randrange(10)
        if form is Form.LDDW:
            imm = rnd.choice((0, M64, 1 << 63, rnd.getrandbits(64)))
        if form is Form.CALL:
            if rnd.random() < 0.5:
                out.append(("call", rnd.randint(0, n)))
                continue
            imm = rnd.choice((1, 2, 3, 3, 7, 100, 5000, -1))
        if form in (Form.JA, Form.JCOND_REG, Form.JCOND_IMM, Form.JA32):
            out.append(("jump", spec, dst, src, imm, rnd.randint(-4, 4)))
            continue
        out.append(("insn", spec, dst, src, off, imm))
    out.append(("insn", _BY_FORM[Form.EXIT][0], 0, 0, 0, 0))
    return _assemble(out, rnd)


def _assemble(items: list[tuple], rnd: random.Random) -> list[Instruction]:
    """Turn symbolic items into instructions, pointing jumps and calls at real starts."""
    pcs, pc = [], 0
    for it in items:
        pcs.append(pc)
        pc += 2 if it[0] == "insn" and it[1].form is Form.LDDW else 1
    out = []
    for k, it in enumerate(items):
        at = pcs[k]
        zero = {}
        if it[0] == "call":
            target = pcs[min(it[1], len(items) - 1)]
            out.append(Instruction(0x85, 0, BPF_PSEUDO_CALL, 0, target - at - 1, at))
            continue
        if it[0] == "jump":
            _, spec, dst, src, imm, rel = it
            target = pcs[max(0, min(len(items) - 1, k + rel))]
            zero = spec.zero
            dst, src = (0 if "dst" in zero else dst), (0 if "src" in zero else src)
            if spec.form is Form.JA32:
                out.append(Instruction(spec.code, 0, 0, 0, target - at - 1, at))
            else:
                out.append(Instruction(spec.code, dst, src, target - at - 1,
                                       0 if "imm" in zero else imm, at))
            continue
        _, spec, dst, src, off, imm = it
        zero = spec.zero
        out.append(Instruction(spec.code, 0 if "dst" in zero else dst,
                               0 if "src" in zero else src, 0 if "off" in zero else off,
                               0 if "imm" in zero else imm, at))
    return out


class _Env:
    """One VM, its helpers and memory, shared by both engines' runs of a program (so every
    address is the same), and reset to the same state before each run."""

    def __init__(self) -> None:
        self.vm = VM()
        self.buf = bytearray(64)
        self.ro = bytes(range(100, 132))
        self.vm.set_helper(1, lambda vm, a, b, c, d, e: (a * 3 + b) & M64)
        self.vm.set_helper(2, self._exit)
        self.vm.set_helper(7, lambda vm, *a: 1 // 0 if a[0] == 12345 else a[1] ^ a[2])
        # a tail call from a Python helper: r0 = r6 * 2 + depth-dependent r10 use, then exit
        tail = Executable([Instruction(0xBF, 0, 6, 0, 0, 0), Instruction(0x27, 0, 0, 0, 2, 1),
                           Instruction(0x7B, 10, 0, -8, 0, 2), Instruction(0x79, 3, 10, -8, 0, 3),
                           Instruction(0x0F, 0, 3, 0, 0, 4), Instruction(0x95, pc=5)], jit=False)
        self.vm.set_helper(3, lambda vm, *a: vm.tail_call(tail) and 0)

    @staticmethod
    def _exit(vm, r1, *_):
        if r1 & 1:
            raise ProgramExit(r1 >> 1)
        return r1

    def run(self, exe: Executable, budget: int):
        self.buf[:] = bytes(range(64))
        ctypes.memset(self.vm.stack_top - 4096, 0xA5, 4096)   # deeper frames: same garbage
        pkt = bytes(range(200, 240))
        try:
            r0 = self.vm.run(exe, 0, 0, 0, 0, 0, memory=(self.buf, self.ro), packet=pkt,
                             budget=budget)
            outcome: tuple = ("ok", r0)
        except ExecutionError as exc:
            outcome = (type(exc).__name__, str(exc), getattr(exc, "address", None),
                       getattr(exc, "size", None))
        except ZeroDivisionError:
            outcome = ("python",)
        stack = ctypes.string_at(self.vm.stack_top - 4096, 4096)
        return outcome, self.vm.registers(), bytes(self.buf), stack


def _pointerize(insns: list[Instruction], env: _Env, rnd: random.Random) -> list[Instruction]:
    """Give the program real addresses to play with: r1 = buf, r2 = ro (as LD_IMM64s)."""
    from pyebpf import address_of

    head = [Instruction(0x18, 1, 0, 0, address_of(env.buf) + rnd.choice((0, 0, 8, 60, 63)), 0),
            Instruction(0x18, 2, 0, 0, address_of(env.ro), 2)]
    return head + [Instruction(i.code, i.dst, i.src, i.off, i.imm, i.pc + 4) for i in insns]


def _same_outcome(env: _Env, insns: list[Instruction], budget: int, rnd_seed: int) -> str:
    from pyebpf import asm

    code = _pointerize(insns, env, random.Random(rnd_seed))
    results = []
    for jit in (False, True):
        exe = Executable(code, jit=jit)
        assert exe.jited == jit, exe.jit_error
        results.append(env.run(exe, budget))
    assert results[0] == results[1], asm.disassemble(code, "llvm")
    return results[0][0][0]


def test_unverified_programs_behave_the_same_on_both_engines() -> None:
    rnd = random.Random(0x117)
    env = _Env()
    outcomes: dict[str, int] = {}
    for i in range(UNVERIFIED):
        insns = _random_program(rnd)
        try:
            # the structural checks see the program as it runs (with its pointer-loading
            # head: a call to the original entry makes the head a subprogram of its own)
            Executable(_pointerize(insns, env, random.Random(i)), jit=False)
        except BPFError:
            continue
        budget = rnd.choice((1, 3, 10, 50, 200, 10_000))
        kind = _same_outcome(env, insns, budget, i)
        outcomes[kind] = outcomes.get(kind, 0) + 1
    # the programs end every way a program can
    assert {"ok", "MemoryAccessError", "BudgetExceededError", "HelperError"} <= set(outcomes)
    assert sum(outcomes.values()) > UNVERIFIED // 4, outcomes


def _gen_outcomes(gp, jit: bool, rnd: random.Random) -> list:
    from pyebpf.objects import Map, Program, btf_load
    from pyebpf.runtime import Runtime

    rt = Runtime(jit=jit)
    live = {i: Map(m.map_type, m.key_size or None, m.value_size or None, m.max_entries,
                   runtime=rt) for i, m in gp.maps.items()}
    fill = random.Random(gp.seed)
    for i, m in gp.maps.items():
        if m.map_type in (uapi.BpfMapType.BPF_MAP_TYPE_HASH, uapi.BpfMapType.BPF_MAP_TYPE_ARRAY):
            for k in range(m.max_entries):
                live[i][k.to_bytes(4, "little")] = fill.randbytes(m.value_size)
    out = []
    btf = gp.btf
    btf_fd = btf_load(btf, runtime=rt) if btf is not None else 0
    try:
        prog = Program(diff.with_map_fds(gp.insns, {i: m.fd for i, m in live.items()}),
                       gp.prog_type, runtime=rt, expected_attach_type=gp.expected_attach_type,
                       btf_fd=btf_fd, func_info=gp.func_info or ())
    except BPFError as exc:
        return [("load", exc.errno)]
    try:
        assert rt.get_prog(prog.fd).core.jited == jit
        for _ in range(4):
            data = rnd.randbytes(rnd.choice((14, 34, 60, 64, 100, 200)))
            try:
                res = prog.test_run(data)
                out.append(("ok", res.retval, bytes(res.data_out or b"")))
            except BPFError as exc:
                out.append((type(exc).__name__, exc.errno, str(exc)))
        for m in live.values():
            if m.map_type in (uapi.BpfMapType.BPF_MAP_TYPE_HASH,
                              uapi.BpfMapType.BPF_MAP_TYPE_ARRAY):
                out.append(sorted((bytes(k), bytes(m[k])) for k in m))
    finally:
        prog.close()
        for m in live.values():
            m.close()
    return out


def test_generated_verified_programs_behave_the_same_on_both_engines() -> None:
    loaded = callbacks = 0
    for seed in list(range(GEN_SEEDS // 2)) + list(range(gen.EXTENDED_FROM,
                                                          gen.EXTENDED_FROM + GEN_SEEDS // 2)):
        gp = gen.generate(seed)
        if gp.defect is not None:
            continue    # a defective program may return a pointer: it differs between runtimes
        a = _gen_outcomes(gp, False, random.Random(seed))
        b = _gen_outcomes(gp, True, random.Random(seed))
        assert a == b, seed
        loaded += a[0][0] != "load"
        callbacks += a[0][0] != "load" and gp.func_info is not None
    assert loaded >= GEN_SEEDS // 10 and callbacks >= 1, (loaded, callbacks)


def test_tail_call_from_a_subprogram_hands_the_frames_to_the_interpreter() -> None:
    """main calls sub (depth 1); sub tail-calls `tail` through a Python helper; tail's
    exit returns into main, which goes on (interpreted) with its r6 and stack intact."""
    tail = Executable([Instruction(0xB7, 0, 0, 0, 40, 0), Instruction(0x95, pc=1)], jit=True)
    main = Executable([
        Instruction(0xB7, 6, 0, 0, 2, 0),            # r6 = 2
        Instruction(0x7A, 10, 0, -8, 100, 1),        # *(u64 *)(r10 - 8) = 100
        Instruction(0x85, 0, BPF_PSEUDO_CALL, 0, 4, 2),  # call sub (pc 7)
        Instruction(0x79, 1, 10, -8, 0, 3),          # r1 = *(u64 *)(r10 - 8)
        Instruction(0x0F, 0, 1, 0, 0, 4),            # r0 += r1
        Instruction(0x0F, 0, 6, 0, 0, 5),            # r0 += r6
        Instruction(0x95, pc=6),
        Instruction(0xB7, 6, 0, 0, 999, 7),          # sub: clobber r6 (restored on return)
        Instruction(0x85, 0, 0, 0, 3, 8),            # helper 3: tail call
        Instruction(0xB7, 0, 0, 0, 1, 9),            # not reached
        Instruction(0x95, pc=10),
    ], jit=True)
    assert main.jited
    for exe in (main, Executable(main.code, jit=False)):
        vm = VM()
        vm.set_helper(3, lambda vm, *a: vm.tail_call(tail) and 0)
        assert vm.run(exe) == 40 + 100 + 2


def test_one_native_image_runs_in_many_threads_at_once() -> None:
    import threading

    code = [Instruction(0xB7, 0, 0, 0, 0, 0), Instruction(0xBF, 1, 0, 0, 0, 1),
            Instruction(0x0F, 0, 1, 0, 0, 2), Instruction(0x07, 1, 0, 0, 1, 3),
            Instruction(0xA5, 1, 0, -3, 200_000, 4), Instruction(0x95, pc=5)]
    exe = Executable(code, jit=True)
    results: list[int] = []

    def worker() -> None:
        results.append(VM().run(exe))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [sum(range(200_000))] * 4
