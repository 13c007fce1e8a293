"""The interpreter: RFC 9669 semantics, calls, helpers, memory safety, budget."""

from __future__ import annotations

import random
import struct
import threading
import time

import pytest

from pyebpf import VM, Executable, address_of
from pyebpf.errors import (
    BudgetExceededError,
    CallDepthError,
    ExecutionError,
    HelperError,
    LoadError,
    MemoryAccessError,
    ProgramExit,
)
from pyebpf.isa import SPECS
from pyebpf.isa import Instruction as I  # noqa: N817

# every test runs on the interpreter and on the JIT (tests/conftest.py: engine)
pytestmark = pytest.mark.usefixtures("engine")

M64 = (1 << 64) - 1
EXIT = I(0x95)


def run(*insns: I, vm: VM | None = None, **kw: object) -> int:
    return (vm or VM()).run(Executable(list(_number(insns))), **kw)


def _number(insns: tuple[I, ...]) -> list[I]:
    out, pc = [], 0
    for i in insns:
        out.append(I(i.code, i.dst, i.src, i.off, i.imm, pc))
        pc += i.slots
    return out


def lddw(dst: int, value: int) -> I:
    return I(0x18, dst, 0, 0, value & M64)


def alu_case(code: int, a: int, b: int) -> int:
    """r0 = a (64-bit); r1 = b; r0 <op>= r1 (register form `code`)."""
    return run(lddw(0, a), lddw(1, b), I(code, 0, 1), EXIT)


# (name, register-form opcode, off, a, b, expected r0) — RFC 9669 section 4.
ALU_CASES = [
    ("div64-by-zero", 0x3F, 0, 7, 0, 0),
    ("mod64-by-zero-keeps-dividend", 0x9F, 0, 7, 0, 7),
    ("div32-by-zero-zeroes-upper", 0x3C, 0, 0xFFFFFFFF00000007, 0, 0),
    ("mod32-by-zero-keeps-low-half", 0x9C, 0, 0xFFFFFFFF00000007, 0, 7),
    ("div32-uses-low-halves", 0x3C, 0, 0x1_0000_0010, 0x1_0000_0002, 8),
    ("sdiv64-intmin-by-minus-one", 0x3F, 1, 1 << 63, M64, 1 << 63),
    ("smod64-intmin-by-minus-one", 0x9F, 1, 1 << 63, M64, 0),
    ("sdiv32-intmin-by-minus-one", 0x3C, 1, 0x80000000, 0xFFFFFFFF, 0x80000000),
    ("smod32-intmin-by-minus-one", 0x9C, 1, 0x80000000, 0xFFFFFFFF, 0),
    ("sdiv64-truncates-toward-zero", 0x3F, 1, (-7) & M64, 2, (-3) & M64),
    ("smod64-sign-of-dividend", 0x9F, 1, (-7) & M64, 2, (-1) & M64),
    ("smod64-by-zero-keeps-dividend", 0x9F, 1, (-7) & M64, 0, (-7) & M64),
    ("sdiv32-by-zero", 0x3C, 1, 5, 0, 0),
    ("lsh64-count-masked", 0x6F, 0, 1, 65, 2),
    ("lsh32-count-masked", 0x6C, 0, 1, 33, 2),
    ("rsh64-count-masked", 0x7F, 0, 4, 66, 1),
    ("arsh64", 0xCF, 0, 1 << 63, 63, M64),
    ("arsh32-zero-extends", 0xCC, 0, 0x80000000, 31, 0xFFFFFFFF),
    ("add32-wraps-and-zero-extends", 0x0C, 0, 0xFFFFFFFF, 1, 0),
    ("sub64-wraps", 0x1F, 0, 0, 1, M64),
    ("mul32-truncates", 0x2C, 0, 0x10000, 0x10000, 0),
    ("mov32-zero-extends", 0xBC, 0, 5, 0xFFFFFFFF_FFFFFFFF, 0xFFFFFFFF),
    ("xor64", 0xAF, 0, 0xF0F0, 0xFF00, 0x0FF0),
]


@pytest.mark.parametrize(("name", "code", "off", "a", "b", "want"), ALU_CASES,
                         ids=[c[0] for c in ALU_CASES])
def test_alu_semantics(name: str, code: int, off: int, a: int, b: int, want: int) -> None:
    got = run(lddw(0, a), lddw(1, b), I(code, 0, 1, off), EXIT)
    assert got == want


def test_alu64_imm_is_sign_extended_and_alu32_imm_is_not() -> None:
    assert run(I(0xB7, 0, 0, 0, -1), EXIT) == M64
    assert run(I(0xB4, 0, 0, 0, -1), EXIT) == 0xFFFFFFFF
    assert run(I(0xB7, 0, 0, 0, 0), I(0x47, 0, 0, 0, -2), EXIT) == M64 - 1
    assert run(I(0xB7, 0, 0, 0, 10), I(0x37, 0, 0, 0, -1), EXIT) == 0  # 10 / 2**64-1


@pytest.mark.parametrize(
    ("code", "off", "value", "want"),
    [(0xBF, 8, 0x80, (-128) & M64), (0xBF, 16, 0x8001, 0xFFFFFFFFFFFF8001),
     (0xBF, 32, 0x80000001, 0xFFFFFFFF80000001), (0xBC, 8, 0x80, 0xFFFFFF80),
     (0xBC, 16, 0x18001, 0xFFFF8001)],
    ids=["movsx8-64", "movsx16-64", "movsx32-64", "movsx8-32", "movsx16-32"],
)
def test_movsx(code: int, off: int, value: int, want: int) -> None:
    assert run(lddw(1, value), I(code, 0, 1, off), EXIT) == want


@pytest.mark.parametrize(
    ("code", "imm", "want"),
    [(0xDC, 16, 0x0807), (0xDC, 32, 0x08070605), (0xDC, 64, 0x0807060504030201),
     (0xD4, 16, 0x0708), (0xD4, 32, 0x05060708), (0xD4, 64, 0x0102030405060708),
     (0xD7, 16, 0x0807), (0xD7, 64, 0x0807060504030201)],
    ids=["be16", "be32", "be64", "le16", "le32", "le64", "bswap16", "bswap64"],
)
def test_byte_swaps(code: int, imm: int, want: int) -> None:
    value = 0x0102030405060708
    assert run(lddw(0, value), I(code, 0, 0, 0, imm), EXIT) == want


def test_neg() -> None:
    assert run(I(0xB7, 0, 0, 0, 5), I(0x87, 0), EXIT) == (-5) & M64
    assert run(lddw(0, 0xFFFFFFFF_00000005), I(0x84, 0), EXIT) == 0xFFFFFFFB


@pytest.mark.parametrize(
    ("code", "a", "b", "taken"),
    [(0x2D, 2, 1, True), (0x2D, 1, 2, False), (0x6D, 1, M64, True), (0x6D, M64, 1, False),
     (0x2E, 0xFFFFFFFF_00000001, 2, False), (0x6E, 0x1_00000000, 0xFFFFFFFF, True),
     (0x4D, 6, 2, True), (0xAD, 1, 2, True), (0xDD, M64, 0, True), (0x5E, 1 << 32, 0, False)],
    ids=["jgt-taken", "jgt-not", "jsgt-taken", "jsgt-not", "jgt32-low-half",
         "jsgt32-zero-vs-minus-one", "jset", "jlt", "jsle", "jne32-low-half"],
)
def test_conditional_jumps(code: int, a: int, b: int, taken: bool) -> None:
    got = run(lddw(1, a), lddw(2, b), I(0xB7, 0, 0, 0, 0), I(code, 1, 2, 1),
              I(0x05, 0, 0, 1), I(0xB7, 0, 0, 0, 1), EXIT)
    assert got == int(taken)


def test_ja32_uses_imm() -> None:
    assert run(I(0xB7, 0, 0, 0, 1), I(0x06, 0, 0, 0, 1), I(0xB7, 0, 0, 0, 2), EXIT) == 1


def test_loads_stores_and_sign_extending_loads() -> None:
    buf = bytearray(16)
    a = address_of(buf)
    run(lddw(1, a), lddw(2, 0x8877665544332211), I(0x7B, 1, 2, 0), I(0x62, 1, 0, 8, -2),
        I(0x72, 1, 0, 12, 0x1FF), EXIT, memory=[buf])
    assert buf[:8] == struct.pack("<Q", 0x8877665544332211)
    assert buf[8:12] == struct.pack("<i", -2) and buf[12] == 0xFF
    assert run(lddw(1, a), I(0x91, 0, 1, 7), EXIT, memory=[buf]) == (-0x78) & M64
    assert run(lddw(1, a), I(0x89, 0, 1, 6), EXIT, memory=[buf]) == (-0x7789) & M64
    assert run(lddw(1, a), I(0x81, 0, 1, 8), EXIT, memory=[buf]) == (-2) & M64
    assert run(lddw(1, a), I(0x69, 0, 1, 6), EXIT, memory=[buf]) == 0x8877


@pytest.mark.parametrize(
    ("name", "imm", "size", "old", "src", "want_mem", "want_src"),
    [("add", 0x00, 8, 5, 3, 8, 3), ("fetch-add", 0x01, 8, 5, 3, 8, 5),
     ("or", 0x40, 8, 5, 2, 7, 2), ("fetch-and", 0x51, 8, 6, 3, 2, 6),
     ("fetch-xor", 0xA1, 8, 6, 3, 5, 6), ("xchg", 0xE1, 8, 6, 9, 9, 6),
     ("fetch-add32-zero-extends", 0x01, 4, 0xFFFFFFFF, 1, 0, 0xFFFFFFFF),
     ("xchg32", 0xE1, 4, 7, 0x1_00000009, 9, 7)],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_atomics(name: str, imm: int, size: int, old: int, src: int, want_mem: int,
                 want_src: int) -> None:
    buf = bytearray(struct.pack("<Q", old))
    code = 0xDB if size == 8 else 0xC3
    vm = VM()
    vm.run(Executable(_number((lddw(1, address_of(buf)), lddw(2, src), I(code, 1, 2, 0, imm),
                            I(0xBF, 0, 2), EXIT))), memory=[buf])
    fmt = "<Q" if size == 8 else "<I"
    assert struct.unpack_from(fmt, buf)[0] == want_mem
    assert vm.registers()[2] == want_src


def test_cmpxchg_success_and_failure() -> None:
    buf = bytearray(struct.pack("<Q", 7))
    prog = lambda expect: (lddw(1, address_of(buf)), I(0xB7, 0, 0, 0, expect),  # noqa: E731
                           I(0xB7, 2, 0, 0, 9), I(0xDB, 1, 2, 0, 0xF1), EXIT)
    assert run(*prog(6), memory=[buf]) == 7 and buf[0] == 7
    assert run(*prog(7), memory=[buf]) == 7 and buf[0] == 9


def test_misaligned_atomic_is_still_correct() -> None:
    buf = bytearray(16)
    run(lddw(1, address_of(buf) + 3), I(0xB7, 2, 0, 0, 5), I(0xDB, 1, 2, 0, 0x00),
        I(0xDB, 1, 2, 0, 0x00), EXIT, memory=[buf])
    assert struct.unpack_from("<Q", buf, 3)[0] == 10


# --- memory safety -------------------------------------------------------------------


def test_wild_load_is_refused_with_pc_and_address() -> None:
    with pytest.raises(MemoryAccessError) as info:
        run(I(0xB7, 0, 0, 0, 0), lddw(1, 0xDEADBEEF), I(0x79, 0, 1, 8), EXIT)
    assert info.value.pc == 3 and info.value.address == 0xDEADBEEF + 8
    assert "invalid read of 8 bytes at 0xdeadbef7" in str(info.value)


def test_read_only_buffer_refuses_stores() -> None:
    data = bytes(8)
    with pytest.raises(MemoryAccessError, match="invalid write"):
        run(lddw(1, address_of(data)), I(0x62, 1, 0, 0, 1), EXIT, memory=[data])


def test_access_straddling_region_end_is_refused() -> None:
    buf = bytearray(8)
    with pytest.raises(MemoryAccessError):
        run(lddw(1, address_of(buf)), I(0x79, 0, 1, 4), EXIT, memory=[buf])
    with pytest.raises(MemoryAccessError):
        run(lddw(1, address_of(buf)), I(0x79, 0, 1, -1), EXIT, memory=[buf])


def test_stack_is_512_bytes_below_r10() -> None:
    assert run(I(0x7A, 10, 0, -512, 7), I(0x79, 0, 10, -512), EXIT) == 7
    with pytest.raises(MemoryAccessError):
        run(I(0x7A, 10, 0, -520, 7), EXIT)
    with pytest.raises(MemoryAccessError):
        run(I(0x7A, 10, 0, 0, 7), EXIT)


def test_buffers_are_not_reachable_after_the_run() -> None:
    buf = bytearray(8)
    a = address_of(buf)
    vm = VM()
    assert run(lddw(1, a), I(0x79, 0, 1, 0), EXIT, vm=vm, memory=[buf]) == 0
    with pytest.raises(MemoryAccessError):
        run(lddw(1, a), I(0x79, 0, 1, 0), EXIT, vm=vm)


# --- calls, helpers, tail calls ---------------------------------------------------


def test_local_call_preserves_r6_to_r9_and_has_own_stack() -> None:
    got = run(
        I(0xB7, 6, 0, 0, 6), I(0xB7, 9, 0, 0, 9), I(0x7A, 10, 0, -8, 1),
        I(0xB7, 1, 0, 0, 40), I(0x85, 0, 1, 0, 5),            # 4: call 10
        I(0x79, 2, 10, -8), I(0x0F, 0, 6), I(0x0F, 0, 9), I(0x0F, 0, 2), EXIT,
        # 10: callee clobbers r6, r9 and its own stack slot, returns r1 + 2
        I(0xB7, 6, 0, 0, 100), I(0xB7, 9, 0, 0, 100), I(0x7A, 10, 0, -8, 55),
        I(0xBF, 0, 1), I(0x07, 0, 0, 0, 2), EXIT,
    )
    assert got == 42 + 6 + 9 + 1


def _nested_calls(depth: int) -> tuple[I, ...]:
    """main calls f1 calls f2 ... f{depth-1}; each returns 1 + callee."""
    body: list[I] = [I(0x85, 0, 1, 0, 1), EXIT]
    for level in range(1, depth):
        last = level == depth - 1
        body += [I(0xB7, 0, 0, 0, 1), EXIT] if last else [I(0x85, 0, 1, 0, 2),
                                                          I(0x07, 0, 0, 0, 1), EXIT]
    return tuple(body)


def test_call_depth_limit_is_eight_frames() -> None:
    assert run(*_nested_calls(8)) == 7
    with pytest.raises(CallDepthError) as info:
        run(*_nested_calls(9))
    assert "call depth exceeds 8 frames" in str(info.value)


def test_python_helper_args_result_and_memory() -> None:
    seen = []

    def helper(vm: VM, r1: int, r2: int, r3: int, r4: int, r5: int) -> int:
        seen.append((r1, r2, r3, r4, r5))
        vm.write(r1, b"\x2a")
        return -1

    vm = VM()
    vm.set_helper(7, helper)
    buf = bytearray(1)
    r0 = run(lddw(1, address_of(buf)), I(0xB7, 2, 0, 0, 2), I(0xB7, 3, 0, 0, 3),
             I(0xB7, 4, 0, 0, 4), I(0xB7, 5, 0, 0, 5), I(0x85, 0, 0, 0, 7), EXIT,
             vm=vm, memory=[buf])
    assert r0 == M64 and buf[0] == 42 and seen[0][1:] == (2, 3, 4, 5)


def test_python_helper_exception_is_reraised_as_is() -> None:
    class BoomError(Exception):
        pass

    err = BoomError("x")

    def helper(*_: int) -> int:
        raise err

    vm = VM()
    vm.set_helper(1, helper)
    with pytest.raises(BoomError) as info:
        run(I(0x85, 0, 0, 0, 1), EXIT, vm=vm)
    assert info.value is err


def test_helper_can_end_the_program() -> None:
    def stop(*_: int) -> int:
        raise ProgramExit(9)

    vm = VM()
    vm.set_helper(5, stop)
    assert run(I(0xB7, 0, 0, 0, 1), I(0x85, 0, 0, 0, 5), I(0xB7, 0, 0, 0, 2), EXIT, vm=vm) == 9


def test_unknown_helper_is_an_error_not_a_crash() -> None:
    with pytest.raises(HelperError, match="unknown helper 99"):
        run(I(0x85, 0, 0, 0, 99), EXIT)
    with pytest.raises(HelperError):
        run(lddw(1, 1 << 40), I(0x8D, 1), EXIT)


def test_callx_calls_the_helper_in_the_register() -> None:
    vm = VM()
    vm.set_helper(5, lambda vm, r1, *_: r1 + 1)
    assert run(I(0xB7, 1, 0, 0, 41), I(0xB7, 2, 0, 0, 5), I(0x8D, 2), EXIT, vm=vm) == 42


def test_tail_call_limit_is_33() -> None:
    vm = VM()
    counter = bytearray(8)
    # Each run adds one to the counter, then tail-calls itself through helper 12.
    prog = Executable(_number((lddw(6, address_of(counter)), I(0xB7, 7, 0, 0, 1),
                            I(0xDB, 6, 7, 0, 0x00), I(0x85, 0, 0, 0, 12),
                            I(0xB7, 0, 0, 0, 3), EXIT)))
    vm.set_helper(12, lambda vm, *_: 0 if vm.tail_call(prog) else -1)
    assert vm.run(prog, memory=[counter]) == 3
    assert struct.unpack("<Q", counter)[0] == 34


# --- LD_ABS / LD_IND -------------------------------------------------------------


def test_ld_abs_and_ind_are_big_endian() -> None:
    pkt = bytes(range(16))
    assert run(I(0x20, 0, 0, 0, 2), EXIT, packet=pkt) == 0x02030405
    assert run(I(0x28, 0, 0, 0, 14), EXIT, packet=pkt) == 0x0E0F
    assert run(I(0xB7, 3, 0, 0, 4), I(0x50, 0, 3, 0, 1), EXIT, packet=pkt) == 5


def test_ld_abs_out_of_bounds_ends_the_program_with_zero() -> None:
    pkt = bytes(4)
    assert run(I(0xB7, 0, 0, 0, 7), I(0x20, 0, 0, 0, 2), I(0xB7, 0, 0, 0, 1), EXIT,
               packet=pkt) == 0
    assert run(I(0xB7, 3, 0, 0, -8), I(0x40, 0, 3, 0, 1), I(0xB7, 0, 0, 0, 1), EXIT,
               packet=pkt) == 0


# --- budget, GIL, bad input -----------------------------------------------------


def test_budget_stops_a_runaway_program() -> None:
    with pytest.raises(BudgetExceededError) as info:
        run(I(0x05, 0, 0, -1), EXIT, budget=10_000)
    assert info.value.pc == 0 and info.value.errno == 7


def test_budget_counts_instructions_exactly() -> None:
    n = 1000
    loop = (I(0xB7, 1, 0, 0, 0), I(0x07, 1, 0, 0, 1), I(0xA5, 1, 0, -2, n), EXIT)
    assert run(*loop, budget=2 * n + 2) == 0
    with pytest.raises(BudgetExceededError):
        run(*loop, budget=2 * n - 2)


def test_gil_is_released_while_running() -> None:
    prog = Executable(_number((lddw(1, 60_000_000), I(0x17, 1, 0, 0, 1), I(0x55, 1, 0, -2, 0),
                            EXIT)))
    ticks = 0
    done = threading.Event()

    def worker() -> None:
        VM().run(prog)
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert ticks > 5


def test_kfunc_calls_are_refused_at_load() -> None:
    with pytest.raises(LoadError, match="kernel function calls"):
        Executable(_number((I(0x85, 0, 2, 0, 1), EXIT)))


def test_random_bytes_never_crash() -> None:
    rng = random.Random(1234)
    vm = VM(budget=2000)
    outcomes = {"load": 0, "run": 0, "fault": 0}
    codes = [s.code for s in SPECS]
    for _ in range(5000):
        n = rng.randint(1, 6)
        raw = bytearray()
        for _ in range(n):
            code = rng.choice(codes) if rng.random() < 0.8 else rng.randrange(256)
            regs = rng.randrange(256) if rng.random() < 0.2 else rng.randrange(11) * 17 & 0xFF
            imm = rng.choice([0, 1, -1, 8, 16, 32, 64, rng.randint(-(2**31), 2**31 - 1)])
            raw += struct.pack("<BBhi", code, regs, rng.randint(-3, 3), imm)
        if rng.random() < 0.9:
            raw += struct.pack("<BBhi", 0x95, 0, 0, 0)
        try:
            prog = Executable(bytes(raw))
        except LoadError:
            outcomes["load"] += 1
            continue
        try:
            vm.run(prog, memory=[bytearray(64)])
            outcomes["run"] += 1
        except ExecutionError:
            outcomes["fault"] += 1
    assert all(outcomes.values()), outcomes


# --- kernel extensions beyond RFC 9669 --------------------------------------------

LOAD_ACQ_STORE_REL = (
    I(0x7A, 10, 0, -8, -1),                    # *(u64 *)(r10 - 8) = -1
    I(0xCB, 0, 10, -8, 0x100),                 # w0 = load_acquire((u16 *)(r10 - 8))
    I(0xB7, 1, 0, 0, 0x1FF),
    I(0xD3, 10, 1, -16, 0x110),                # store_release((u8 *)(r10 - 16), w1)
    I(0x71, 2, 10, -16),                       # r2 = *(u8 *)(r10 - 16)
    I(0x0F, 0, 2),
    EXIT,
)


def test_load_acquire_zero_extends_and_store_release_truncates() -> None:
    assert run(*LOAD_ACQ_STORE_REL) == 0xFFFF + 0xFF


def test_load_acquire_and_store_release_match_the_kernel(kernel) -> None:
    with kernel.KernelProgram(_number(LOAD_ACQ_STORE_REL)) as prog:
        assert prog.test_run(bytes(64)).retval == run(*LOAD_ACQ_STORE_REL)


def test_may_goto_falls_through_until_its_budget_is_spent() -> None:
    # r0 counts the iterations: may_goto jumps out once BPF_MAX_LOOPS (8M) were
    # taken, as the kernel's rewrite for the interpreter does (x86's JIT uses a
    # time-based budget instead, so the count is not comparable there).
    loop = (I(0xB7, 0, 0, 0, 0), I(0xE5, 0, 0, 2), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -3), EXIT)
    assert run(*loop) == 8 * 1024 * 1024


def test_may_goto_budget_is_per_frame() -> None:
    # main: r6 = callee's count; r0 = r6 + main's own count after spending 3 in main
    prog = (
        I(0xB7, 7, 0, 0, 3),
        I(0xE5, 0, 0, 2), I(0x17, 7, 0, 0, 1), I(0x55, 7, 0, -3, 0),   # 3 may_gotos
        I(0x85, 0, 1, 0, 2), I(0xBF, 6, 0), EXIT,                      # call 7, keep r0
        I(0xB7, 0, 0, 0, 0), I(0xE5, 0, 0, 2), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -3), EXIT,
    )
    assert run(*prog) == 8 * 1024 * 1024
