"""Programs on events: clang-compiled uprobes, uretprobes and tracepoints
(tests/data/events/probes.bpf.c) attached to real Python functions
(tests/probe_targets.py) and application tracepoints, with exact counts and values;
links, their ids and info, TASK_FD_QUERY and the errnos of the attach family; ring
buffer and perf buffer consumers.  Nothing is attached to the machine's kernel: the
kernel only checks that it loads the same programs and runs the raw tracepoint one.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading
import types
from pathlib import Path
from typing import Any

import probe_targets
import pytest

from pyebpf import links, probes, uapi
from pyebpf.elf import load_elf, load_into_kernel
from pyebpf.errors import BPFError
from pyebpf.events import PerfBuffer, RingBuffer, record_decoder
from pyebpf.runtime import Runtime
from pyebpf.syscall import bpf

OBJ = Path(__file__).parent / "data" / "events" / "probes.o"
Cmd = uapi.BpfCmd
PT = uapi.BpfProgType


@pytest.fixture
def rt() -> Any:
    return Runtime()


@pytest.fixture
def coll(rt: Runtime) -> Any:
    spec = load_elf(str(OBJ))
    c = spec.load(rt)
    yield c
    c.close()


REQUEST = probes.tracepoint("app:request", "user_id", "size")


def counters(c: Any) -> list[int]:
    return [e.value_typed for e in c.entries("counters")]


def attach(c: Any, name: str, **kw: Any) -> links.Link:
    return links.attach(c.programs[name], c.spec.programs[name].section, **kw)


def err(fn: Any, *args: Any, **kw: Any) -> int:
    with pytest.raises(BPFError) as e:
        fn(*args, **kw)
    return e.value.errno


# --- uprobes and uretprobes on Python functions ----------------------------------------------

def test_uprobe_and_uretprobe_see_arguments_and_return_values(coll: Any, rt: Runtime) -> None:
    fds_before = rt.open_fds()
    code = probe_targets.add.__code__
    with attach(coll, "on_add"), attach(coll, "on_add_return"):
        assert probe_targets.add.__code__ is not code
        results = [probe_targets.add(i, 3 * i) for i in range(10)]
        results.append(probe_targets.add(5))              # default b = 10
        results.append(probe_targets.add(b=-4, a=1))      # keywords; -3 is u64 2**64 - 3
        assert results[:10] == [4 * i for i in range(10)]
        calls, args_sum, ret_sum = counters(coll)[:3]
    assert calls == 12
    assert args_sum == (sum(4 * i for i in range(10)) + 15 - 3) % 2**64
    assert ret_sum == args_sum
    # detached: the function is untouched again, and nothing is left open
    assert probe_targets.add.__code__ is code
    probe_targets.add(1, 1)
    assert counters(coll)[0] == 12
    assert rt.open_fds() == fds_before


def test_string_arguments_through_probe_read_user_str_and_ring_buffer(coll: Any) -> None:
    seen: list[Any] = []
    rb = RingBuffer(coll.maps["events"], seen.append,
                    decode=record_decoder(coll, "events", "event"))
    with attach(coll, "on_greet"):
        assert probe_targets.greet("alice", 7) == "hello alice #7"
        probe_targets.greet("a-rather-long-name-beyond-16", 8)
        probe_targets.greet("", 9)
    assert rb.poll(0) == 3
    pid, tid = os.getpid(), threading.get_native_id()
    comm = Path("/proc/self/comm").read_text().strip()[:15]
    assert [(e["pid"], e["tid"], e["arg"], e["name"], e["comm"]) for e in seen] == [
        (pid, tid, 7, "alice", comm), (pid, tid, 8, "a-rather-long-n", comm),
        (pid, tid, 9, "", comm)]
    assert rb.poll(0) == 0


def test_return_value_through_perf_buffer_with_lost_samples(coll: Any) -> None:
    got: list[tuple[int, Any]] = []
    lost: list[tuple[int, int]] = []
    pb = PerfBuffer(coll.maps["perf_events"], lambda cpu, e: got.append((cpu, e)),
                    lambda cpu, n: lost.append((cpu, n)), page_cnt=1,
                    decode=record_decoder(coll, "perf_events", "event"))
    with attach(coll, "on_greet_return"):
        probe_targets.greet("bob", 1)
        assert pb.poll(0) == 1
        assert got == [(0, {"pid": os.getpid(), "tid": 0, "arg": 0, "ret": 1,
                            "name": "hello bob #1", "comm": ""})]
        # one page holds 4096 // 72 samples of 56 bytes (perf header, size, padding)
        for i in range(100):
            probe_targets.greet("x", i)
        assert pb.consume() == 4096 // 72
        assert lost == [(0, 100 - 4096 // 72)]
        assert pb.lost_total == 100 - 4096 // 72
    pb.close()


def test_methods_closures_and_super_keep_working(coll: Any, rt: Runtime) -> None:
    """A method using super() has a __class__ free variable: the trampoline keeps it."""
    prog = coll.programs["on_add"]
    g = probe_targets.Greeter("hi ")
    with links.attach_uprobe(prog, "probe_targets:Greeter.greet"):
        assert g.greet("there") == "hi there"
        assert g.greet("x") == "hi x"
    assert counters(coll)[0] == 2
    assert g.greet("y") == "hi y"

    def outer() -> Any:
        base = 100

        def inner(x: int) -> int:
            return base + x
        return inner
    inner = outer()
    with links.attach_uprobe(prog, inner):
        assert inner(5) == 105
    assert counters(coll)[0] == 3
    assert inner.__code__.co_freevars == ("base",)


def test_recursion_counts_every_call(coll: Any) -> None:
    with links.attach_uprobe(coll.programs["on_add"], "probe_targets:fib"):
        assert probe_targets.fib(10) == 55
    assert counters(coll)[0] == 177          # fib(10) makes 177 calls


def test_pending_target_is_hooked_when_it_first_runs(coll: Any) -> None:
    mod = types.ModuleType("pending_mod")
    sys.modules["pending_mod"] = mod
    try:
        assert err(links.attach_uprobe, coll.programs["on_add"], "pending_mod:late") == \
            errno.ENOENT
        with links.attach_uprobe(coll.programs["on_add"], "pending_mod:late", pending=True), \
                links.attach_uprobe(coll.programs["on_add_return"], "pending_mod:late",
                                    retprobe=True, pending=True):
            exec("def late(a, b):\n    return a * b\n", mod.__dict__)
            assert [mod.late(i, 2) for i in range(1, 5)] == [2, 4, 6, 8]
        assert counters(coll)[:3] == [4, 1 + 2 + 3 + 4 + 8, 20]
        assert sys.getprofile() is None
        # a target that never runs: closing the link stops the watching
        link = links.attach_uprobe(coll.programs["on_add"], "pending_mod:never", pending=True)
        assert sys.getprofile() is not None
        link.close()
        assert sys.getprofile() is None
        perf = links.perf_event_open_uprobe("pending_mod:never2", pending=True,
                                            runtime=coll.runtime)
        coll.runtime.close(perf)                        # no link at all: the same
        assert sys.getprofile() is None
    finally:
        del sys.modules["pending_mod"]


def test_stats_count_runs(coll: Any, rt: Runtime) -> None:
    a = uapi.BpfAttr()
    a.enable_stats.type = uapi.BpfStatsType.BPF_STATS_RUN_TIME
    stats_fd = bpf(Cmd.BPF_ENABLE_STATS, a, runtime=rt)
    with attach(coll, "on_add"):
        for i in range(7):
            probe_targets.add(i, i)
    rt.close(stats_fd)
    info = coll.programs["on_add"].info()
    assert info.run_cnt == 7 and info.run_time_ns > 0


# --- tracepoints ---------------------------------------------------------------------------------

def test_raw_and_perf_tracepoints(coll: Any) -> None:
    assert not REQUEST.enabled
    with attach(coll, "on_request") as raw, attach(coll, "on_request_tp"):
        assert REQUEST.enabled
        for user, size in [(1, 100), (2, 50), (1, 25), (3, 1)]:
            REQUEST(user, size)
        assert raw.info().type == uapi.BpfLinkType.BPF_LINK_TYPE_RAW_TRACEPOINT
    assert not REQUEST.enabled
    REQUEST(1, 1000)                                      # nothing attached: no effect
    assert {e.key_typed: e.value_typed for e in coll.entries("sizes")} == {1: 125, 2: 50, 3: 1}
    c = counters(coll)
    assert (c[3], c[4], c[5]) == (4, os.getpid(), 176)


def test_raw_tracepoint_context_bounds_and_missing_tracepoints(coll: Any) -> None:
    # reads args[2] of a two-argument tracepoint: refused as the kernel refuses it
    assert err(attach, coll, "reads_third_arg") == errno.EINVAL
    assert err(links.attach_raw_tracepoint, coll.programs["on_request"], "app:nope") == \
        errno.ENOENT
    assert err(links.attach_tracepoint, coll.programs["on_request_tp"], "app/nope") == \
        errno.ENOENT
    # a tracepoint declared without argument names takes up to 12
    probes.tracepoint("app:untyped")
    with links.attach_raw_tracepoint(coll.programs["reads_third_arg"], "app:untyped"):
        probes.tracepoint("app:untyped")(0, 0, 42)
    assert counters(coll)[6] == 42


def test_raw_tracepoint_program_agrees_with_the_kernel(kernel: Any, coll: Any) -> None:
    """The kernel loads the same object, and test_runs the raw tracepoint program with the
    same arguments: the maps agree with what the pyebpf tracepoint produced."""
    spec = load_elf(str(OBJ))
    args = [(7, 10), (8, 1), (7, 5)]
    with load_into_kernel(spec) as theirs:
        prog = theirs.programs["on_request"]
        for a in args:
            prog.test_run(ctx_in=b"".join(x.to_bytes(8, "little") for x in a), repeat=0,
                          ctx_size_out=0)
        want = {int.from_bytes(k, "little"): int.from_bytes(theirs.maps["sizes"].lookup(k),
                                                            "little")
                for k in theirs.maps["sizes"].keys()}
    with attach(coll, "on_request"):
        for a in args:
            REQUEST(*a)
    assert {e.key_typed: e.value_typed for e in coll.entries("sizes")} == want == {7: 15, 8: 1}


# --- the bpf() attach family: errnos, ids, info --------------------------------------------------

def _link_create(rt: Runtime, prog_fd: int, target_fd: int,
                 attach_type: int = uapi.BpfAttachType.BPF_PERF_EVENT, flags: int = 0) -> int:
    a = uapi.BpfAttr()
    lc = a.link_create
    lc.prog_fd, lc.target_fd, lc.attach_type, lc.flags = prog_fd, target_fd, attach_type, flags
    return bpf(Cmd.BPF_LINK_CREATE, a, runtime=rt)


def test_attach_errnos(coll: Any, rt: Runtime) -> None:
    kprobe = coll.programs["on_add"].fd
    rawtp = coll.programs["on_request"].fd
    tp = coll.programs["on_request_tp"].fd
    assert err(links.perf_event_open_uprobe, "probe_targets:missing", runtime=rt) == errno.ENOENT
    assert err(links.perf_event_open_uprobe, "no_such_module_x:f", runtime=rt) == errno.ENOENT
    assert err(links.perf_event_open_uprobe, "probe_targets:REQUEST_X", runtime=rt) == \
        errno.ENOENT
    assert err(links.perf_event_open_uprobe, "os:sep", runtime=rt) == errno.EINVAL
    assert err(links.perf_event_open_uprobe, "no-colon", runtime=rt) == errno.EINVAL
    perf = links.perf_event_open_uprobe("probe_targets:add", runtime=rt)
    tpev = links.perf_event_open_tracepoint("app/request", runtime=rt)
    # wrong program types, wrong attach types, flags, targets that are not perf events
    assert err(_link_create, rt, rawtp, perf) == errno.EINVAL
    assert err(_link_create, rt, tp, perf) == errno.EINVAL
    assert err(_link_create, rt, kprobe, tpev) == errno.EINVAL
    assert err(_link_create, rt, kprobe, perf, uapi.BpfAttachType.BPF_TRACE_RAW_TP) == \
        errno.EINVAL
    assert err(_link_create, rt, kprobe, perf, flags=1) == errno.EINVAL
    assert err(_link_create, rt, kprobe, coll.maps["counters"].fd) == errno.EBADF
    assert err(_link_create, rt, kprobe, 9999) == errno.EBADF
    assert err(_link_create, rt, perf, perf) == errno.EINVAL          # prog_fd not a program
    # one program per perf event
    link = _link_create(rt, kprobe, perf)
    assert err(_link_create, rt, coll.programs["on_add_return"].fd, perf) == errno.EEXIST
    # perf links have no detach and no update: each time the same errno
    d = uapi.BpfAttr()
    d.link_detach.link_fd = link
    assert err(bpf, Cmd.BPF_LINK_DETACH, d, runtime=rt) == errno.EOPNOTSUPP
    assert err(bpf, Cmd.BPF_LINK_DETACH, d, runtime=rt) == errno.EOPNOTSUPP
    u = uapi.BpfAttr()
    u.link_update.link_fd, u.link_update.new_prog_fd = link, kprobe
    assert err(bpf, Cmd.BPF_LINK_UPDATE, u, runtime=rt) == errno.EINVAL
    u.link_update.flags = 1
    assert err(bpf, Cmd.BPF_LINK_UPDATE, u, runtime=rt) == errno.EINVAL
    u.link_update.flags, u.link_update.old_prog_fd = 0, kprobe
    assert err(bpf, Cmd.BPF_LINK_UPDATE, u, runtime=rt) == errno.EINVAL
    it = uapi.BpfAttr()
    it.iter_create.link_fd = link
    assert err(bpf, Cmd.BPF_ITER_CREATE, it, runtime=rt) == errno.EINVAL
    # RAW_TRACEPOINT_OPEN of a program of another type, or with a NULL name
    name = ctypes.create_string_buffer(b"app:request")
    r = uapi.BpfAttr()
    r.raw_tracepoint.name, r.raw_tracepoint.prog_fd = ctypes.addressof(name), kprobe
    assert err(bpf, Cmd.BPF_RAW_TRACEPOINT_OPEN, r, runtime=rt) == errno.EINVAL
    r.raw_tracepoint.name, r.raw_tracepoint.prog_fd = 0, rawtp
    assert err(bpf, Cmd.BPF_RAW_TRACEPOINT_OPEN, r, runtime=rt) == errno.EFAULT
    # the perf event fd may close: the link holds the event; closing the link detaches
    rt.close(perf)
    probe_targets.add(1, 2)
    assert counters(coll)[0] == 1
    rt.close(link)
    assert err(bpf, Cmd.BPF_LINK_DETACH, d, runtime=rt) == errno.EBADF
    probe_targets.add(1, 2)
    assert counters(coll)[0] == 1
    rt.close(tpev)
    assert not REQUEST.enabled


def test_link_ids_info_and_pins(coll: Any, rt: Runtime) -> None:
    link = attach(coll, "on_add_return")
    a = uapi.BpfAttr()
    a.start_id = 0
    bpf(Cmd.BPF_LINK_GET_NEXT_ID, a, runtime=rt)
    assert a.next_id == link.id
    a.start_id = link.id
    assert err(bpf, Cmd.BPF_LINK_GET_NEXT_ID, a, runtime=rt) == errno.ENOENT
    byid = uapi.BpfAttr()
    byid.start_id = link.id
    fd2 = bpf(Cmd.BPF_LINK_GET_FD_BY_ID, byid, runtime=rt)
    # struct bpf_link_info with the uprobe's name (bpf_copy_to_user: ENOSPC when short)
    info = links.LinkInfo()
    name = ctypes.create_string_buffer(64)
    info.perf_event.uprobe.file_name = ctypes.addressof(name)
    info.perf_event.uprobe.name_len = 64
    g = uapi.BpfAttr()
    g.info.bpf_fd, g.info.info_len, g.info.info = fd2, ctypes.sizeof(info), \
        ctypes.addressof(info)
    bpf(Cmd.BPF_OBJ_GET_INFO_BY_FD, g, runtime=rt)
    assert (info.type, info.id, info.prog_id) == (uapi.BpfLinkType.BPF_LINK_TYPE_PERF_EVENT,
                                                  link.id, coll.programs["on_add_return"].id)
    assert info.perf_event.type == links.BPF_PERF_EVENT_URETPROBE
    assert name.value == b"probe_targets:add"
    assert info.perf_event.uprobe.name_len == len("probe_targets:add") + 1
    info.perf_event.uprobe.name_len = 5
    assert err(bpf, Cmd.BPF_OBJ_GET_INFO_BY_FD, g, runtime=rt) == errno.ENOSPC
    assert name.raw[:5] == b"prob\0"
    info.perf_event.uprobe.file_name = 0
    assert err(bpf, Cmd.BPF_OBJ_GET_INFO_BY_FD, g, runtime=rt) == errno.EINVAL
    # a pin keeps the link (and the probe) after every fd is gone; unpinning releases it
    link.pin("/sys/fs/bpf/add_ret")
    link.close()
    rt.close(fd2)
    probe_targets.add(2, 2)
    assert counters(coll)[2] == 4
    rt.unpin("/sys/fs/bpf/add_ret")
    probe_targets.add(2, 2)
    assert counters(coll)[2] == 4
    a = uapi.BpfAttr()
    assert err(bpf, Cmd.BPF_LINK_GET_NEXT_ID, a, runtime=rt) == errno.ENOENT
    assert err(bpf, Cmd.BPF_LINK_GET_FD_BY_ID, byid, runtime=rt) == errno.ENOENT


def _task_fd_query(rt: Runtime, fd: int, buf_len: int = 64, pid: int | None = None) -> Any:
    a = uapi.BpfAttr()
    q = a.task_fd_query
    buf = ctypes.create_string_buffer(max(buf_len, 1))
    q.pid, q.fd, q.buf, q.buf_len = os.getpid() if pid is None else pid, fd, \
        ctypes.addressof(buf), buf_len
    try:
        bpf(Cmd.BPF_TASK_FD_QUERY, a, runtime=rt)
    finally:
        q.name = buf.value          # type: ignore[attr-defined]
    return q


def test_task_fd_query(coll: Any, rt: Runtime) -> None:
    perf = links.perf_event_open_uprobe("probe_targets:greet", True, runtime=rt)
    assert err(_task_fd_query, rt, perf) == errno.ENOENT     # no program yet
    link = _link_create(rt, coll.programs["on_greet_return"].fd, perf)
    q = _task_fd_query(rt, perf)
    assert (q.prog_id, q.fd_type, q.buf_len, q.name) == (
        coll.programs["on_greet_return"].id, links.BPF_FD_TYPE_URETPROBE,
        len("probe_targets:greet"), b"probe_targets:greet")
    assert err(_task_fd_query, rt, perf, 4) == errno.ENOSPC
    with attach(coll, "on_request") as raw:
        q = _task_fd_query(rt, raw.fd)
        assert (q.fd_type, q.name) == (links.BPF_FD_TYPE_RAW_TRACEPOINT, b"app:request")
    assert err(_task_fd_query, rt, coll.maps["counters"].fd) == 524       # ENOTSUPP
    assert err(_task_fd_query, rt, perf, pid=os.getpid() + 1) == errno.ESRCH
    rt.close(link)
    rt.close(perf)
    assert err(_task_fd_query, rt, perf) == errno.EBADF


def test_ring_buffer_callback_stops_on_negative(coll: Any) -> None:
    seen: list[bytes] = []

    def cb(rec: bytes) -> int:
        seen.append(rec)
        return -7 if len(seen) == 2 else 0
    rb = RingBuffer(coll.maps["events"], cb)
    with attach(coll, "on_greet"):
        for i in range(4):
            probe_targets.greet("n", i)
    assert rb.consume() == -7 and len(seen) == 2
    assert rb.consume() == 2 and len(seen) == 4
    with pytest.raises(BPFError):
        RingBuffer(coll.maps["counters"], cb)


def test_tracepoint_header_is_not_readable(kernel: Any) -> None:
    """tp_prog_is_valid_access refuses the record's first 8 bytes; so does pyebpf."""
    from pyebpf.errors import VerifierError

    spec = load_elf(str(OBJ.with_name("tp_header.o")))
    with pytest.raises(VerifierError) as ours:
        spec.load(Runtime()).close()
    with pytest.raises(VerifierError) as theirs:
        load_into_kernel(spec).close()
    assert "invalid bpf_context access off=4 size=4" in str(ours.value)
    assert "invalid bpf_context access off=4 size=4" in str(theirs.value)


def test_python_stack_through_bpf_get_stack(coll: Any) -> None:
    """bpf_get_stack(BPF_F_USER_STACK) gives the Python stack, innermost first, each
    frame as a code object's id; probes.symbolize names them."""
    seen: list[Any] = []
    rb = RingBuffer(coll.maps["events"], seen.append,
                    decode=record_decoder(coll, "events", "stack_event"))
    with attach(coll, "stack_of_leaf"), attach(coll, "stack_errors"):
        probe_targets.outer()
    assert rb.consume() == 1
    n = seen[0]["len"] // 8
    assert seen[0]["len"] == 64                          # 8 frames fill the buffer
    names = [probes.symbolize(ip) for ip in seen[0]["ips"][:n]]
    assert names[:4] == ["probe_targets.py:leaf", "probe_targets.py:middle",
                         "probe_targets.py:outer", "test_events.py:"
                         "test_python_stack_through_bpf_get_stack"]
    assert counters(coll)[7] == 1 | 2 | 4 | 8


def test_send_signal(coll: Any) -> None:
    import signal

    got: list[int] = []
    old = signal.signal(signal.SIGUSR1, lambda sig, frame: got.append(sig))
    try:
        with attach(coll, "send_sig"):
            probe_targets.signal_me(int(signal.SIGUSR1))
            probe_targets.signal_me(0)                    # no signal: a permission check
            probe_targets.signal_me(65)                   # not a signal: -EINVAL
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert got == [signal.SIGUSR1]
    assert counters(coll)[6] == 100 + 100 + (100 - errno.EINVAL)


@pytest.mark.parametrize("ptype", [PT.BPF_PROG_TYPE_KPROBE, PT.BPF_PROG_TYPE_TRACEPOINT,
                                   PT.BPF_PROG_TYPE_RAW_TRACEPOINT,
                                   PT.BPF_PROG_TYPE_PERF_EVENT])
def test_event_program_helpers_match_kernel(kernel: Any, ptype: int) -> None:
    """Every helper pyebpf has, called from a program of each event type: refused for the
    type ("cannot use helper") exactly where the kernel refuses it."""
    from pyebpf import helpers
    from pyebpf.isa import Instruction
    from pyebpf.objects import Program

    differ = []
    for hid in sorted(helpers.HELPERS):
        insns = [Instruction(0x85, 0, 0, 0, hid, 0), Instruction(0xB7, 0, 0, 0, 0, 1),
                 Instruction(0x95, 0, 0, 0, 0, 2)]
        try:
            kernel.KernelProgram(insns, ptype, log_level=1).close()
            theirs = ""
        except BPFError as e:
            theirs = getattr(e, "log", "") or str(e)
        try:
            Program(insns, ptype, log_level=1, runtime=Runtime()).close()
            ours = ""
        except BPFError as e:
            ours = getattr(e, "log", "") or str(e)
        if ("cannot use helper" in theirs) != ("cannot use helper" in ours):
            differ.append(f"{helpers.HELPERS[hid].name}: kernel {theirs[-80:]!r} "
                          f"ours {ours[-80:]!r}")
    assert not differ, "\n".join(differ)


LDX = {1: 0x71, 2: 0x69, 4: 0x61, 8: 0x79}
STX = {1: 0x73, 2: 0x6B, 4: 0x63, 8: 0x7B}


@pytest.mark.parametrize(("ptype", "end"), [(PT.BPF_PROG_TYPE_KPROBE, 176),
                                            (PT.BPF_PROG_TYPE_TRACEPOINT, 64),
                                            (PT.BPF_PROG_TYPE_RAW_TRACEPOINT, 104),
                                            (PT.BPF_PROG_TYPE_PERF_EVENT, 192)])
def test_event_ctx_access_matches_kernel(kernel: Any, ptype: int, end: int) -> None:
    """Every read and write of the context at offsets 0..end, sizes 1/2/4/8 (aligned or
    not): allowed or refused as the kernel does (kprobe_prog_is_valid_access,
    tp_prog_is_valid_access, raw_tp_prog_is_valid_access, pe_prog_is_valid_access)."""
    from pyebpf.isa import Instruction
    from pyebpf.objects import Program

    differ = []
    for off in range(end):
        for size in (1, 2, 4, 8):
            for write in (False, True):
                access = Instruction(STX[size], 1, 2, off, 0, 1) if write else \
                    Instruction(LDX[size], 0, 1, off, 0, 1)
                insns = [Instruction(0xB7, 2, 0, 0, 0, 0), access,
                         Instruction(0xB7, 0, 0, 0, 0, 2), Instruction(0x95, 0, 0, 0, 0, 3)]
                try:
                    kernel.KernelProgram(insns, ptype).close()
                    theirs = True
                except BPFError:
                    theirs = False
                try:
                    Program(insns, ptype, runtime=Runtime()).close()
                    ours = True
                except BPFError:
                    ours = False
                if theirs != ours:
                    differ.append(f"{'write' if write else 'read'} off={off} size={size}: "
                                  f"kernel {theirs} ours {ours}")
    assert not differ, "\n".join(differ[:20]) + f"\n({len(differ)} in all)"


def test_sampling_profiler_sees_the_sampled_thread(coll: Any, rt: Runtime) -> None:
    """A PERF_EVENT program on a 100 Hz cpu-clock event over a worker thread: every
    sample is that thread's (tid), with its innermost frame as pt_regs.ip and its Python
    stack from bpf_get_stack."""
    import time

    stop = [False]              # a plain flag: the worker's frames are fib's and busy's only

    def busy() -> None:
        while not stop[0]:
            probe_targets.fib(12)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        with links.attach_perf_event(coll.programs["sample"], 100, thread=worker) as link:
            time.sleep(0.3)
            info = link.info()
            assert info.type == uapi.BpfLinkType.BPF_LINK_TYPE_PERF_EVENT
            assert (info.perf_event.type, info.perf_event.event.type,
                    info.perf_event.event.config) == (links.BPF_PERF_EVENT_EVENT, 1, 0)
            assert err(_task_fd_query, rt, link._perf_fd) == errno.EOPNOTSUPP
            ev = rt.get(link._perf_fd)
        n = ev.sampler.samples                             # closing the link joined it
        time.sleep(0.05)
        assert ev.sampler.samples == n                   # detached: sampling stopped
    finally:
        stop[0] = True
        worker.join()
    entries = {(e.key_typed["tid"], e.key_typed["ip"], e.key_typed["depth"]): e.value_typed
               for e in coll.entries("samples")}
    assert n >= 3 and sum(entries.values()) == n
    assert counters(coll)[8] == n                           # sample_period: 10 ms
    assert {tid for tid, _, _ in entries} == {worker.native_id}
    names = {probes.symbolize(ip) for _, ip, _ in entries}
    assert names <= {"probe_targets.py:fib", "test_events.py:"
                     "test_sampling_profiler_sees_the_sampled_thread.<locals>.busy"}
    assert "probe_targets.py:fib" in names
    assert all(depth >= 2 for _, _, depth in entries)      # fib..., busy, run, ...
    # a kprobe program on a cpu-clock event is refused, as a perf_event one on a uprobe
    perf = links.perf_event_open_timer(50, runtime=rt)
    assert err(_link_create, rt, coll.programs["on_add"].fd, perf) == errno.EINVAL
    up = links.perf_event_open_uprobe("probe_targets:add", runtime=rt)
    assert err(_link_create, rt, coll.programs["sample"].fd, up) == errno.EINVAL
    assert err(links.perf_event_open_timer, 0, runtime=rt) == errno.EINVAL
    rt.close(perf)
    rt.close(up)


def test_attach_cookies(coll: Any) -> None:
    """One program on two functions with different cookies (bpf_get_attach_cookie), and
    on a raw tracepoint with RAW_TRACEPOINT_OPEN's cookie."""
    prog = coll.programs["cookie_counter"]
    with links.attach_uprobe(prog, "probe_targets:leaf", cookie=1) as l1, \
            links.attach_uprobe(prog, "probe_targets:middle", cookie=1000):
        assert l1.info().perf_event.uprobe.cookie == 1
        probe_targets.outer()               # middle, then leaf
        probe_targets.leaf()
    assert counters(coll)[9] == 1000 + 1 + 1
    with attach(coll, "on_request"):
        pass
    raw = coll.programs["on_request"]
    with links.attach_raw_tracepoint(raw, "app:request", cookie=77) as link:
        assert link.info().raw_tracepoint.cookie == 77


def test_list_links(coll: Any, rt: Runtime) -> None:
    """bpftool-link-like listing through LINK_GET_NEXT_ID/GET_FD_BY_ID/OBJ_GET_INFO."""
    from pyebpf import cgroups

    cg = cgroups.cgroup_open("lst", runtime=rt)
    fds = rt.open_fds()
    with attach(coll, "on_add"), attach(coll, "on_add_return"), attach(coll, "on_request"):
        got = links.list_links(rt)
    assert [(d["type"], d["prog_name"], d.get("uprobe") or d.get("uretprobe")
             or d.get("tp_name")) for d in got] == [
        ("perf_event", "on_add", "probe_targets:add"),
        ("perf_event", "on_add_return", "probe_targets:add"),
        ("raw_tracepoint", "on_request", "app:request")]
    assert "uretprobe" in got[1] and rt.open_fds() == fds        # the walk closed its fds
    assert links.list_links(rt) == []
    rt.close(cg)
