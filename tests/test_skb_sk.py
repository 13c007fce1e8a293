"""``__sk_buff.sk`` against the live kernel (issue 9).

The kernel lets socket filters, tc classifiers and actions and cgroup skb programs take an
8-byte read of ``sk`` (bpf_skb_is_valid_access), typed PTR_TO_SOCK_COMMON_OR_NULL: a
program must test it against NULL before it reads through it, and it reads only the
``struct bpf_sock`` fields bpf_sock_common_is_valid_access allows.  Under
BPF_PROG_TEST_RUN the skb always has a socket (the dummy one bpf_prog_test_run_skb creates,
with the family and addresses of the packet's IP header), so the program's NULL branch
never runs.

The probe below reads through the pointer at every offset and size of ``struct bpf_sock``
(and past it) in every skb program type, on IPv4, IPv6 and ARP frames, and compares the
kernel's verdict, first error line and the values read with pyebpf's.
"""

from __future__ import annotations

import ctypes

import pytest

from pyebpf import isa, kernel, uapi
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction as I  # noqa: N817
from pyebpf.verifier import bpf_check, ctxprobe

PT = uapi.BpfProgType
SK = uapi.SkBuff.sk.offset
CB = uapi.SkBuff.cb.offset
S = uapi.BpfSock
SOCK_SIZE = ctypes.sizeof(S)
LD = {1: isa.BPF_B, 2: isa.BPF_H, 4: isa.BPF_W, 8: isa.BPF_DW}
SKB_TYPES = (PT.BPF_PROG_TYPE_SOCKET_FILTER, PT.BPF_PROG_TYPE_SCHED_CLS,
             PT.BPF_PROG_TYPE_SCHED_ACT, PT.BPF_PROG_TYPE_CGROUP_SKB)
NULL_MARK = 0xDEAD


def _eth(proto: int, payload: bytes) -> bytes:
    return bytes(6) + bytes.fromhex("020000000002") + proto.to_bytes(2, "big") + payload


IPV4 = _eth(0x0800, bytes.fromhex("450000280001000040060000c0a80101c0a80202")
            + bytes.fromhex("303900500000000100000000500200000000") + bytes(2))
IPV6 = _eth(0x86DD, bytes.fromhex("6000000000140640") + bytes(range(1, 17))
            + bytes(range(17, 33)) + bytes(20))
ARP = _eth(0x0806, bytes(28))
FRAMES = (IPV4, IPV6, ARP)
CTX = bytes(ctypes.sizeof(uapi.SkBuff))


def ldx(size: int, dst: int, src: int, off: int) -> I:
    return I(isa.BPF_LDX | isa.BPF_MEM | LD[size], dst, src, off, 0)


def read_through_sk(off: int, size: int) -> list[I]:
    """``sk = skb->sk; v = sk ? *(size *)(sk + off) : 0xdead; skb->cb[0..1] = v; return 1``
    (the value goes out through ctx_out: cgroup skb programs may only return 0 or 1)."""
    return [I(0xBF, 7, 1, 0, 0),                      # r7 = r1
            ldx(8, 6, 1, SK),                         # r6 = skb->sk
            I(0xB7, 0, 0, 0, NULL_MARK),              # r0 = 0xdead
            I(0x15, 6, 0, 1, 0),                      # if r6 == 0 goto +1
            ldx(size, 0, 6, off),                     # r0 = *(size *)(r6 + off)
            I(0x7B, 7, 0, CB, 0),                     # *(u64 *)(r7 + cb) = r0
            I(0xB7, 0, 0, 0, 1), I(0x95)]


@pytest.fixture(scope="module")
def backends(kernel):
    return ctxprobe.kernel_backend(), ctxprobe.pyebpf_backend()


def _load_both(backends, insns: list[I], prog_type: int) -> list[tuple[int, str]]:
    return [b.load(insns, int(prog_type)) for b in backends]


def _close(backends, fds) -> None:
    for b, (fd, _) in zip(backends, fds, strict=True):
        b.close(fd)


def _probe(backends, types, end: int, program) -> int:
    """Load ``program(off, size)`` for every offset below ``end`` and size in both
    backends; compare verdict, errno and first error line, and for accepted programs the
    value each stores in cb[0..1] on every frame.  Returns how many were accepted."""
    k, p = backends
    accepted, bad = 0, []
    for prog_type in types:
        for off in range(end):
            for size in LD:
                fds = _load_both(backends, program(off, size), prog_type)
                (kfd, kline), (pfd, pline) = fds
                try:
                    if (kfd >= 0) != (pfd >= 0) or (kfd < 0 and (kfd, kline) != (pfd, pline)):
                        bad.append((prog_type.name, off, size, (kfd, kline), (pfd, pline)))
                        continue
                    if kfd < 0:
                        continue
                    accepted += 1
                    for data in FRAMES:
                        want = k.test_run(kfd, data, CTX, True)
                        got = p.test_run(pfd, data, CTX, True)
                        if want != got:
                            bad.append((prog_type.name, off, size, data[12:14].hex(),
                                        want[2][CB:CB + 8].hex() if want[2] else want,
                                        got[2][CB:CB + 8].hex() if got[2] else got))
                finally:
                    _close(backends, fds)
    assert not bad, "\n".join(map(str, bad[:20]))
    return accepted


def test_read_through_sk_probe(backends):
    """Every offset x size of struct bpf_sock (and 8 bytes past it) read through skb->sk:
    verdict, errno and first error line, and the values the kernel's test run socket
    shows, on IPv4, IPv6 and ARP frames."""
    accepted = _probe(backends, SKB_TYPES, SOCK_SIZE + 8, read_through_sk)
    # bpf_sock_common_is_valid_access: bound_dev_if, family, the addresses (any narrow
    # read), src_port, dst_port, state, rx_queue_mapping: 87 accesses (the kernel's count)
    assert accepted == len(SKB_TYPES) * 87


def _value(backends, insns: list[I], prog_type: int, data: bytes) -> list:
    fds = _load_both(backends, insns, prog_type)
    try:
        for fd, line in fds:
            assert fd >= 0, line
        return [b.test_run(fd, data, None, False)[0]
                for b, (fd, _) in zip(backends, fds, strict=True)]
    finally:
        _close(backends, fds)


@pytest.mark.parametrize("prog_type", [PT.BPF_PROG_TYPE_SOCKET_FILTER,
                                       PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_LWT_IN])
@pytest.mark.parametrize("field,want", [
    ("family", (2, 10, 0)), ("state", (7, 7, 7)), ("src_ip4", (0x0101A8C0, 0, 0)),
    ("dst_ip4", (0x0202A8C0, 0, 0)), ("src_port", (0, 0, 0)), ("dst_port", (0, 0, 0)),
    ("rx_queue_mapping", (0xFFFFFFFF,) * 3)])
def test_sock_fields_under_test_run(backends, prog_type, field, want):
    """The test run socket as the program sees it: never NULL, family and addresses from
    the frame's IP header, closed (TCP_CLOSE), unbound, no rx queue (-1)."""
    off = getattr(S, field).offset
    insns = [ldx(8, 6, 1, SK), I(0x15, 6, 0, 2, 0), ldx(4, 0, 6, off), I(0x95),
             I(0xB7, 0, 0, 0, NULL_MARK), I(0x95)]
    runs = [_value(backends, insns, prog_type, d) for d in FRAMES]
    got = [tuple(v) for v in zip(*runs, strict=True)]
    assert got[0] == got[1] == want


def test_null_branch_never_runs(backends):
    """``if (!skb->sk) return 0; return 1;``: the kernel's test run has a socket."""
    insns = [ldx(8, 6, 1, SK), I(0xB7, 0, 0, 0, 1), I(0x55, 6, 0, 1, 0),
             I(0xB7, 0, 0, 0, 0), I(0x95)]
    for prog_type in SKB_TYPES:
        for data in FRAMES:
            assert _value(backends, insns, prog_type, data) == [1, 1]


def _st(dst: int, off: int, imm: int) -> I:
    return I(isa.BPF_ST | isa.BPF_MEM | isa.BPF_W, dst, 0, off, imm)


REFUSED = {
    # read through it before the NULL check
    "no_null_check": [ldx(8, 6, 1, SK), ldx(4, 0, 6, S.family.offset), I(0x95)],
    # the kernel types the pointer only for 8-byte reads of sk itself
    "u32_read": [ldx(4, 0, 1, SK), I(0x95)],
    "upper_half": [ldx(4, 0, 1, SK + 4), I(0x95)],
    "write_sk": [I(0x7B, 1, 1, SK, 0), I(0xB7, 0, 0, 0, 0), I(0x95)],
    "store_through": [ldx(8, 6, 1, SK), I(0x15, 6, 0, 1, 0), _st(6, 4, 1),
                      I(0xB7, 0, 0, 0, 0), I(0x95)],
    "stx_through": [ldx(8, 6, 1, SK), I(0x15, 6, 0, 1, 0), I(0x63, 6, 6, 4, 0),
                    I(0xB7, 0, 0, 0, 0), I(0x95)],
    "arith_or_null": [ldx(8, 6, 1, SK), I(0x07, 6, 0, 0, 4), I(0xB7, 0, 0, 0, 0), I(0x95)],
    "arith_common": [ldx(8, 6, 1, SK), I(0x15, 6, 0, 3, 0), I(0x07, 6, 0, 0, 4),
                     ldx(4, 0, 6, 0), I(0x95), I(0xB7, 0, 0, 0, 0), I(0x95)],
    # type, protocol, mark and priority need a full socket (bpf_sk_fullsock)
    "full_sock_field": [ldx(8, 6, 1, SK), I(0x15, 6, 0, 2, 0), ldx(4, 0, 6, S.protocol.offset),
                        I(0x95), I(0xB7, 0, 0, 0, 0), I(0x95)],
    "past_end": [ldx(8, 6, 1, SK), I(0x15, 6, 0, 2, 0), ldx(4, 0, 6, SOCK_SIZE),
                 I(0x95), I(0xB7, 0, 0, 0, 0), I(0x95)],
    "wrong_null_branch": [ldx(8, 6, 1, SK), I(0x55, 6, 0, 2, 0), ldx(4, 0, 6, 4),
                          I(0x95), I(0xB7, 0, 0, 0, 0), I(0x95)],
}


@pytest.mark.parametrize("prog_type", SKB_TYPES)
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_as_kernel(backends, prog_type, name):
    _both_refuse_alike(backends, REFUSED[name], prog_type)


def _both_refuse_alike(backends, insns: list[I], prog_type: int) -> None:
    """The kernel refuses ``insns``; pyebpf too, with its errno and first error line."""
    fds = _load_both(backends, insns, prog_type)
    _close(backends, fds)
    (kfd, kline), (pfd, pline) = fds
    assert kfd < 0, "the kernel accepts it"
    assert (pfd, pline) == (kfd, kline)


ACCEPTED = {  # each with one exit, last
    # spilled to the stack and filled back, then NULL-checked
    "spill_fill": [ldx(8, 6, 1, SK), I(0x7B, 10, 6, -8, 0), ldx(8, 2, 10, -8),
                   I(0xB7, 0, 0, 0, 0), I(0x15, 2, 0, 1, 0), ldx(4, 0, 2, S.state.offset),
                   I(0x95)],
    # a copy is checked: both registers are known non-NULL after the test
    "copy_checked": [ldx(8, 6, 1, SK), I(0xBF, 7, 6, 0, 0), I(0xB7, 0, 0, 0, 0),
                     I(0x15, 7, 0, 1, 0), ldx(4, 0, 6, S.family.offset), I(0x95)],
    # narrow reads of family and dst_port (the sizes bpf_sock_is_valid_access allows)
    "narrow_reads": [ldx(8, 6, 1, SK), I(0xB7, 0, 0, 0, 0), I(0x15, 6, 0, 3, 0),
                     ldx(1, 0, 6, S.family.offset), ldx(2, 2, 6, S.dst_port.offset),
                     I(0x0F, 0, 2, 0, 0), I(0x95)],
    # the NULL check with the branches the other way round
    "jne_null": [ldx(8, 6, 1, SK), I(0xB7, 0, 0, 0, 3), I(0x55, 6, 0, 1, 0),
                 I(0x05, 0, 0, 1, 0), ldx(4, 0, 6, S.dst_ip4.offset), I(0x95)],
}


@pytest.mark.parametrize("prog_type", SKB_TYPES)
@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_as_kernel(backends, prog_type, name):
    insns = ACCEPTED[name]
    if prog_type == PT.BPF_PROG_TYPE_CGROUP_SKB:   # its programs return 0 or 1
        insns = [*insns[:-1], I(0x57, 0, 0, 0, 1), I(0x95)]
    _both_accept_and_run_alike(backends, insns, prog_type)


def _both_accept_and_run_alike(backends, insns: list[I], prog_type: int) -> None:
    """Both backends accept ``insns``; their test runs on every frame give one outcome."""
    fds = _load_both(backends, insns, prog_type)
    try:
        for fd, line in fds:
            assert fd >= 0, line
        for data in FRAMES:
            want, got = (b.test_run(fd, data, None, False) for b, (fd, _) in
                         zip(backends, fds, strict=True))
            assert got == want
    finally:
        _close(backends, fds)


# --- the helpers that take it: bpf_sk_fullsock, bpf_tcp_sock, bpf_get_listener_sock ------

FULLSOCK, TCP_SOCK, LISTENER = (int(uapi.BpfFunc[f"BPF_FUNC_{n}"])
                                for n in ("sk_fullsock", "tcp_sock", "get_listener_sock"))
# tc_cls_act_func_proto and cg_skb_func_proto offer them; sk_filter_func_proto does not
HELPER_TYPES = (PT.BPF_PROG_TYPE_SCHED_CLS, PT.BPF_PROG_TYPE_SCHED_ACT,
                PT.BPF_PROG_TYPE_CGROUP_SKB)
TCP_SOCK_SIZE = 112


def read_through_helper(helper: int, off: int, size: int) -> list[I]:
    """``sk = skb->sk; p = sk ? helper(sk) : ...; cb[0..1] = p ? *(size *)(p + off) :
    0xbeef; return 1`` (0xdead when sk is NULL)."""
    return [I(0xBF, 7, 1, 0, 0), ldx(8, 1, 1, SK), I(0xB7, 2, 0, 0, NULL_MARK),
            I(0x15, 1, 0, 4, 0), I(0x85, 0, 0, 0, helper), I(0xB7, 2, 0, 0, 0xBEEF),
            I(0x15, 0, 0, 1, 0), ldx(size, 2, 0, off), I(0x7B, 7, 2, CB, 0),
            I(0xB7, 0, 0, 0, 1), I(0x95)]


@pytest.mark.parametrize("helper,end,want_accepted", [
    # bpf_sock_is_valid_access: every field of struct bpf_sock, narrow where it allows
    (FULLSOCK, SOCK_SIZE + 8, 95),
    # bpf_tcp_sock_is_valid_access: whole u32 fields, bytes_received/acked as u64
    (TCP_SOCK, TCP_SOCK_SIZE + 8, 26),
    (LISTENER, SOCK_SIZE + 8, 95)])
def test_read_through_helper_result_probe(backends, helper, end, want_accepted):
    """Every offset x size read through what the helper returns, in every type that
    offers it: verdict, errno, first error line; the values under test_run (the kernel's
    test run socket is full, no TCP socket, not listening)."""
    accepted = _probe(backends, HELPER_TYPES, end,
                      lambda off, size: read_through_helper(helper, off, size))
    assert accepted == len(HELPER_TYPES) * want_accepted


def _call(helper: int, *tail: I) -> list[I]:
    """``sk = skb->sk; if (!sk) return 0; r0 = helper(sk); tail`` (tail ends in exit)."""
    return [ldx(8, 1, 1, SK), I(0x55, 1, 0, 2, 0), I(0xB7, 0, 0, 0, 0), I(0x95),
            I(0x85, 0, 0, 0, helper), *tail]


RET0 = (I(0xB7, 0, 0, 0, 0), I(0x95))
HELPER_REFUSED = {
    "sk_unchecked": [ldx(8, 1, 1, SK), I(0x85, 0, 0, 0, FULLSOCK), *RET0],
    "tcp_sock_unchecked": [ldx(8, 1, 1, SK), I(0x85, 0, 0, 0, TCP_SOCK), *RET0],
    "listener_unchecked": [ldx(8, 1, 1, SK), I(0x85, 0, 0, 0, LISTENER), *RET0],
    "ctx_arg": [I(0x85, 0, 0, 0, FULLSOCK), *RET0],
    "scalar_arg": [I(0xB7, 1, 0, 0, 0), I(0x85, 0, 0, 0, TCP_SOCK), *RET0],
    "result_unchecked": _call(FULLSOCK, ldx(4, 0, 0, S.protocol.offset), I(0x95)),
    "tcp_result_unchecked": _call(TCP_SOCK, ldx(4, 0, 0, 0), I(0x95)),
    "write_sock": _call(FULLSOCK, I(0x15, 0, 0, 1, 0), _st(0, S.mark.offset, 1), *RET0),
    "arith_sock": _call(FULLSOCK, I(0x15, 0, 0, 1, 0), I(0x07, 0, 0, 0, 4), *RET0),
    "arith_or_null": _call(TCP_SOCK, I(0x07, 0, 0, 0, 4), *RET0),
    "write_tcp_sock": _call(TCP_SOCK, I(0x15, 0, 0, 1, 0), _st(0, 0, 1), *RET0),
    "r1_clobbered": _call(FULLSOCK, I(0x15, 0, 0, 1, 0), ldx(4, 0, 1, 0), *RET0),
}


@pytest.mark.parametrize("prog_type", [*HELPER_TYPES, PT.BPF_PROG_TYPE_SOCKET_FILTER,
                                       PT.BPF_PROG_TYPE_LWT_IN])
@pytest.mark.parametrize("name", sorted(HELPER_REFUSED))
def test_helper_refused_as_kernel(backends, prog_type, name):
    _both_refuse_alike(backends, HELPER_REFUSED[name], prog_type)


HELPER_ACCEPTED = {  # each returns 0 or 1 (cgroup skb programs' range)
    # bpf_tcp_sock of bpf_sk_fullsock's result (a sock is a sock_common argument)
    "tcp_of_fullsock": _call(FULLSOCK, I(0x15, 0, 0, 3, 0), I(0xBF, 1, 0, 0, 0),
                             I(0x85, 0, 0, 0, TCP_SOCK), I(0x55, 0, 0, 2, 0),
                             I(0xB7, 0, 0, 0, 1), I(0x95), *RET0),
    "fullsock_is_full": _call(FULLSOCK, I(0x15, 0, 0, 2, 0), I(0xB7, 0, 0, 0, 1), I(0x95),
                              *RET0),
    "listener_none": _call(LISTENER, I(0x15, 0, 0, 2, 0), *RET0, I(0xB7, 0, 0, 0, 1),
                           I(0x95)),
    "family_of_full": _call(FULLSOCK, I(0x15, 0, 0, 3, 0), ldx(4, 0, 0, S.family.offset),
                            I(0x57, 0, 0, 0, 1), I(0x95), *RET0),
}


@pytest.mark.parametrize("prog_type", HELPER_TYPES)
@pytest.mark.parametrize("name", sorted(HELPER_ACCEPTED))
def test_helper_accepted_as_kernel(backends, prog_type, name):
    _both_accept_and_run_alike(backends, HELPER_ACCEPTED[name], prog_type)


# --- NULL checks by comparison with a register, and pointers given to helpers ------------

COOKIE = int(uapi.BpfFunc.BPF_FUNC_get_socket_cookie)


def _two_fullsocks(read: int) -> list[I]:
    """``r7 = r8 = sk_fullsock(sk); r0 = sk_fullsock(sk); if (r0 && r0 == r7) return
    r<read>->type & 1; return 0``."""
    return [ldx(8, 6, 1, SK), I(0x55, 6, 0, 2, 0), *RET0,
            I(0xBF, 1, 6, 0, 0), I(0x85, 0, 0, 0, FULLSOCK), I(0xBF, 7, 0, 0, 0),
            I(0xBF, 8, 0, 0, 0), I(0xBF, 1, 6, 0, 0), I(0x85, 0, 0, 0, FULLSOCK),
            I(0x15, 0, 0, 4, 0), I(0x5D, 0, 7, 3, 0), ldx(4, 0, read, S.type.offset),
            I(0x57, 0, 0, 0, 1), I(0x95), *RET0]

CMP_CASES = {
    # check_cond_jmp_op (6.18): only the immediate 0 makes a NULL check, a register
    # known to be 0 does not, on either side
    "jne_zero_register": ([ldx(8, 6, 1, SK), I(0xB7, 2, 0, 0, 0), I(0xB7, 0, 0, 0, 0),
                           I(0x5D, 6, 2, 1, 0), I(0x95), ldx(4, 0, 6, S.family.offset),
                           I(0x57, 0, 0, 0, 1), I(0x95)], False),
    "zero_register_as_dst": ([ldx(8, 6, 1, SK), I(0xB7, 2, 0, 0, 0), I(0xB7, 0, 0, 0, 0),
                              I(0x5D, 2, 6, 1, 0), I(0x95), ldx(4, 0, 6, S.family.offset),
                              I(0x57, 0, 0, 0, 1), I(0x95)], False),
    # equal to a pointer known not to be NULL: not NULL (selftests' jeq_infer_not_null)
    "jeq_non_null_pointer": (_two_fullsocks(7), True),
    # only the register compared: a copy of it made before stays maybe-NULL
    "jeq_copy_stays_or_null": (_two_fullsocks(8), False),
    # __check_ptr_off_reg on a helper's context argument
    "ctx_negative_off": ([I(0x07, 1, 0, 0, -612), I(0x85, 0, 0, 0, COOKIE), *RET0], False),
    "ctx_fixed_off": ([I(0x07, 1, 0, 0, 8), I(0x85, 0, 0, 0, COOKIE), *RET0], False),
    "ctx_variable_off": ([ldx(4, 2, 1, 0), I(0x57, 2, 0, 0, 4), I(0x0F, 1, 2, 0, 0),
                          I(0x85, 0, 0, 0, COOKIE), *RET0], False),
}


@pytest.mark.parametrize("prog_type", HELPER_TYPES)
@pytest.mark.parametrize("name", sorted(CMP_CASES))
def test_null_checks_and_helper_pointers_as_kernel(backends, prog_type, name):
    insns, accepted = CMP_CASES[name]
    if accepted:
        _both_accept_and_run_alike(backends, insns, prog_type)
    else:
        _both_refuse_alike(backends, insns, prog_type)


# --- the same helpers where the context holds a socket (verified only: no test_run) ------

@pytest.mark.parametrize("prog_type,attach,sk_off", [
    (PT.BPF_PROG_TYPE_SOCK_OPS, 0, uapi.BpfSockOps.sk.offset),                 # sock_or_null
    (PT.BPF_PROG_TYPE_CGROUP_SOCKOPT, uapi.BpfAttachType.BPF_CGROUP_GETSOCKOPT,
     uapi.BpfSockopt.sk.offset)])                                              # sock
@pytest.mark.parametrize("helper", [FULLSOCK, TCP_SOCK, LISTENER])
def test_socket_helpers_on_context_sockets(backends, prog_type, attach, sk_off, helper):
    """``r = helper(ctx->sk)`` with and without the NULL check of ctx->sk, then reads
    through ``r`` (whole, narrow, the upper half of a u64 tcp_sock field): verdict, errno
    and first error line as the kernel's (sock_ops offers only bpf_tcp_sock, sockopt too)."""
    bad = []
    for check in (True, False):
        for off, size in ((0, 4), (8, 4), (4, 2), (80, 8), (84, 4), (S.type.offset, 1)):
            insns = [ldx(8, 1, 1, sk_off), I(0xB7, 0, 0, 0, 1),
                     *([I(0x15, 1, 0, 4, 0)] if check else []), I(0x85, 0, 0, 0, helper),
                     I(0xB7, 2, 0, 0, 1), I(0x15, 0, 0, 1, 0), ldx(size, 2, 0, off),
                     I(0xB7, 0, 0, 0, 1), I(0x95)]
            res = [b.load(insns, int(prog_type), int(attach)) for b in backends]
            _close(backends, res)
            (kfd, kline), (pfd, pline) = res
            if (kfd >= 0) != (pfd >= 0) or (kfd < 0 and (kfd, kline) != (pfd, pline)):
                bad.append((check, off, size, res))
    assert not bad, bad


# --- whole verifier logs -------------------------------------------------------------

def _kernel_log(insns: list[I], prog_type: int, level: int) -> str:
    try:
        with kernel.KernelProgram(insns, prog_type, log_level=level) as kp:
            return kp.log
    except BPFError as exc:
        return exc.log


def _pyebpf_log(insns: list[I], prog_type: int, level: int) -> str:
    try:
        return bpf_check(isa.decode(isa.encode(insns)), prog_type, log_level=level).log
    except VerifierError as exc:
        return exc.log


NAMED = {**REFUSED, **ACCEPTED, **HELPER_REFUSED, **HELPER_ACCEPTED,
         **{name: v for name, (v, _) in CMP_CASES.items()}}


@pytest.mark.parametrize("prog_type", HELPER_TYPES)
@pytest.mark.parametrize("level", [1, 2])
def test_whole_logs_as_kernel(kernel, prog_type, level):
    """The register states the log prints for the socket pointers (ids of the maybe-NULL
    ones, the types after NULL checks), at level 1 and 2, as the kernel's."""
    differ = [name for name, insns in NAMED.items()
              if _kernel_log(insns, prog_type, level) != _pyebpf_log(insns, prog_type, level)]
    assert not differ, differ
