"""BPF links and the attach family of ``bpf()``, over the attach points of a Python process.

The attach points are those :mod:`pyebpf.probes` provides: Python functions as uprobes
and uretprobes, and application tracepoints (raw and perf-event style).  As in the
kernel, a uprobe or a tracepoint is first opened as a *perf event* (an fd:
:func:`perf_event_open_uprobe`, :func:`perf_event_open_tracepoint`, pyebpf's
``perf_event_open(2)``), and a program is attached to it with
``BPF_LINK_CREATE(attach_type=BPF_PERF_EVENT, target_fd=<perf fd>)``; raw tracepoints
are attached with ``BPF_RAW_TRACEPOINT_OPEN``.  Each gives a link fd: the program
stays attached while the link lives (an fd or a pin holds it) and is detached when the
last one goes, as in the kernel.  Links have ids (``LINK_GET_NEXT_ID``,
``LINK_GET_FD_BY_ID``), ``struct bpf_link_info`` (``OBJ_GET_INFO_BY_FD``, with the
6.18 layout of the perf-event member), and ``TASK_FD_QUERY`` answers for perf event
and raw tracepoint fds.

Every step fails with the errno the kernel's step returns (kernel/bpf/syscall.c:
``link_create``, ``bpf_perf_link_attach``, ``bpf_raw_tp_link_attach``,
``link_update``, ``link_detach``, ``bpf_task_fd_query``): a closed fd EBADF, an fd of
another kind EINVAL (EBADF where the kernel wants a perf event), a program of the
wrong type EINVAL, a second program on one perf event EEXIST, an unknown tracepoint
ENOENT, LINK_DETACH of a link without a detach operation EOPNOTSUPP, LINK_UPDATE of
one without update EINVAL.
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct
import threading
import types
from typing import Any

from pyebpf import uapi
from pyebpf.errors import BPFError
from pyebpf.runtime import BpfProg, Runtime, default_runtime

PT = uapi.BpfProgType
AT = uapi.BpfAttachType
LT = uapi.BpfLinkType
ENOTSUPP = 524

# enum bpf_perf_event_type (struct bpf_link_info.perf_event.type)
BPF_PERF_EVENT_UPROBE, BPF_PERF_EVENT_URETPROBE, BPF_PERF_EVENT_TRACEPOINT = 1, 2, 5
BPF_PERF_EVENT_EVENT = 6
PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK = 1, 0
# enum bpf_task_fd_type
BPF_FD_TYPE_RAW_TRACEPOINT, BPF_FD_TYPE_TRACEPOINT = 0, 1
BPF_FD_TYPE_UPROBE, BPF_FD_TYPE_URETPROBE = 4, 5
BPF_F_REPLACE = 1 << 2


class _PerfEventUprobe(ctypes.Structure):
    _fields_ = [("file_name", ctypes.c_uint64), ("name_len", ctypes.c_uint32),
                ("offset", ctypes.c_uint32), ("cookie", ctypes.c_uint64),
                ("ref_ctr_offset", ctypes.c_uint64)]


class _PerfEventTracepoint(ctypes.Structure):
    _fields_ = [("tp_name", ctypes.c_uint64), ("name_len", ctypes.c_uint32),
                ("_pad", ctypes.c_uint32), ("cookie", ctypes.c_uint64)]


class _PerfEventEvent(ctypes.Structure):
    _fields_ = [("config", ctypes.c_uint64), ("type", ctypes.c_uint32),
                ("_pad", ctypes.c_uint32), ("cookie", ctypes.c_uint64)]


class _PerfEventUnion(ctypes.Union):
    _fields_ = [("uprobe", _PerfEventUprobe), ("tracepoint", _PerfEventTracepoint),
                ("event", _PerfEventEvent), ("_size", ctypes.c_uint8 * 40)]


class _PerfEventInfo(ctypes.Structure):
    _anonymous_ = ("_u",)
    _fields_ = [("type", ctypes.c_uint32), ("_pad", ctypes.c_uint32), ("_u", _PerfEventUnion)]


class _RawTpInfo(ctypes.Structure):
    _fields_ = [("tp_name", ctypes.c_uint64), ("tp_name_len", ctypes.c_uint32),
                ("_pad", ctypes.c_uint32), ("cookie", ctypes.c_uint64)]


class _LinkInfoUnion(ctypes.Union):
    _fields_ = [("raw_tracepoint", _RawTpInfo), ("perf_event", _PerfEventInfo),
                ("_size", ctypes.c_uint8 * 48)]


class LinkInfo(ctypes.Structure):
    """``struct bpf_link_info`` as Linux 6.18 lays it out (64 bytes; the installed UAPI
    header, and so ``uapi.BpfLinkInfo``, predates the perf-event member)."""

    _anonymous_ = ("_u",)
    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32),
                ("prog_id", ctypes.c_uint32), ("_pad", ctypes.c_uint32),
                ("_u", _LinkInfoUnion)]


assert ctypes.sizeof(LinkInfo) == 64


def copy_name(ubuf: int, ulen: int, name: str) -> None:
    """bpf_copy_to_user: the name and its NUL if it fits, else ``ulen - 1`` bytes, a NUL
    and ENOSPC."""
    from pyebpf.syscall import copy_to_user

    data = name.encode()
    if ulen > len(data):
        copy_to_user(ubuf, data + b"\0")
        return
    if ulen:
        copy_to_user(ubuf, data[:ulen - 1] + b"\0")
    raise BPFError(errno.ENOSPC, f"name buffer of {ulen} bytes too small for {name!r}")


# --- perf events ---------------------------------------------------------------------------

class PerfEvent:
    """An opened perf event: a uprobe/uretprobe on a Python function or a tracepoint.

    It holds at most one program (``event->prog``), as the kernel's perf events do.
    """

    def __init__(self, runtime: Runtime, kind: str, target: str) -> None:
        self.runtime = runtime
        self.kind = kind                    # "uprobe", "uretprobe" or "tracepoint"
        self.target = target
        self.site: Any = None               # probes.FunctionSite
        self.tp: Any = None                 # probes.Tracepoint
        self.attached: Any = None           # probes._Attached
        self.sampler: Any = None            # probes.Sampler (cpu-clock events)
        self.id = 0
        self._pending: tuple[str, str, Any] | None = None

    @property
    def retprobe(self) -> bool:
        return self.kind == "uretprobe"

    def set_prog(self, prog: BpfProg, cookie: int, link: Any) -> None:
        """perf_event_set_bpf_prog: one program, of the type this event runs."""
        if self.attached is not None:
            raise BPFError(errno.EEXIST, f"perf event {self.target} already has a program")
        want = {"tracepoint": PT.BPF_PROG_TYPE_TRACEPOINT,
                "timer": PT.BPF_PROG_TYPE_PERF_EVENT}.get(self.kind, PT.BPF_PROG_TYPE_KPROBE)
        if prog.prog_type != want:
            raise BPFError(errno.EINVAL, f"a {self.kind} perf event runs "
                           f"{PT(want).name} programs, not {PT(prog.prog_type).name}")
        from pyebpf.probes import _Attached

        att = _Attached(prog, cookie, link)
        self.attached = att
        if self.tp is not None:
            self.tp.add(att, raw=False)
        elif self.site is not None:
            self.site.add(att, self.retprobe)
        elif self.sampler is not None:
            self.sampler.start(att)

    def clear_prog(self) -> None:
        att, self.attached = self.attached, None
        if att is None:
            return
        if self.tp is not None:
            self.tp.remove(att)
        elif self.site is not None:
            self.site.remove(att)
        elif self.sampler is not None:
            self.sampler.stop()

    def fd_dropped(self) -> None:
        """An fd of the event closed: with no fd and no program left, stop waiting for a
        pending target (the watcher would otherwise keep the event, and its profiler)."""
        if self.attached is None and not self.runtime.holds(self):
            self.close()

    def _found(self, func: types.FunctionType) -> None:
        """A pending target's function ran for the first time: hook it now."""
        from pyebpf.probes import function_site

        self._pending = None
        self.site = function_site(func)
        if self.attached is not None:
            self.site.add(self.attached, self.retprobe)

    def close(self) -> None:
        if self._pending is not None:
            from pyebpf.probes import pending_watcher

            module, qualname, cb = self._pending
            pending_watcher.cancel(module, qualname, cb)
            self._pending = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def perf_event_open_uprobe(target: Any, retprobe: bool = False, *, pending: bool = False,
                           runtime: Runtime | None = None) -> int:
    """Open a uprobe (or uretprobe) perf event on a Python function: its fd.

    ``target`` is ``"module:qualname"`` or the function itself.  A missing target is
    ENOENT, as a uprobe on a missing file or symbol; with ``pending=True`` a missing
    target (a module not imported yet, a function ``__main__`` defines later) is hooked
    when its code first runs, and ``__main__:`` targets always wait for that.
    """
    from pyebpf.probes import function_site, pending_watcher

    rt = runtime or default_runtime()
    name = target if isinstance(target, str) else \
        f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', '?')}"
    ev = PerfEvent(rt, "uretprobe" if retprobe else "uprobe", name)
    try:
        if pending and isinstance(target, str) and target.startswith("__main__:"):
            # the program's __main__ may not be running yet (pyebpf trace): wait for it
            raise BPFError(errno.ENOENT, "deferred")
        ev.site = function_site(target)
    except BPFError as e:
        if not (pending and e.errno == errno.ENOENT and isinstance(target, str)):
            raise
        module, _, qualname = target.partition(":")
        ev._pending = (module, qualname, ev._found)
        pending_watcher.add(module, qualname, ev._found)
    return rt.new_fd(ev)


def perf_event_open_tracepoint(name: str, *, runtime: Runtime | None = None) -> int:
    """Open a tracepoint perf event (``category:name`` or ``category/name``): its fd.
    ENOENT if no application declared it (as a missing tracefs event)."""
    from pyebpf.probes import find_tracepoint

    rt = runtime or default_runtime()
    tp = find_tracepoint(name)
    if tp is None:
        raise BPFError(errno.ENOENT, f"no tracepoint {name!r} (declare it with "
                       "pyebpf.tracepoint)")
    ev = PerfEvent(rt, "tracepoint", tp.name)
    ev.tp = tp
    return rt.new_fd(ev)


def perf_event_open_timer(freq: int = 99, *, thread: Any = None,
                          runtime: Runtime | None = None) -> int:
    """Open a software cpu-clock perf event sampling a thread (default: the main thread)
    ``freq`` times a second: its fd.  A PERF_EVENT program attached to it runs at each
    sample, with ``bpf_get_stack(BPF_F_USER_STACK)`` giving that thread's Python stack
    (a sampling profiler)."""
    from pyebpf.probes import Sampler

    if not 0 < freq <= 10_000:
        raise BPFError(errno.EINVAL, f"sample frequency {freq} out of 1..10000")
    rt = runtime or default_runtime()
    t = thread if thread is not None else threading.main_thread()
    ev = PerfEvent(rt, "timer", f"cpu-clock@{freq}Hz")
    ev.sampler = Sampler(t, freq)
    return rt.new_fd(ev)


# --- links -----------------------------------------------------------------------------------

class BpfLink:
    """A kernel ``struct bpf_link``: a program attached to something, while it lives."""

    link_type = LT.BPF_LINK_TYPE_UNSPEC

    def __init__(self, runtime: Runtime, prog: BpfProg, attach_type: int) -> None:
        self.runtime = runtime
        self.prog: BpfProg | None = prog
        self.attach_type = attach_type
        self.id = 0
        self._released = False
        self._lock = threading.Lock()

    def settle(self) -> None:
        """bpf_link_settle: the link is published with an id once attached."""
        self.runtime._alloc_id("link", self)

    def _release(self) -> None:
        """ops->release: take the program off its attach point."""

    def release(self) -> None:
        """The last reference went: detach and drop the id (bpf_link_free)."""
        with self._lock:
            if self._released:
                return
            self._released = True
        if not self.id:         # never attached (bpf_link_cleanup): nothing to take off
            return
        self._release()
        self.runtime._ids["link"].pop(self.id, None)

    def fd_dropped(self) -> None:
        """Called by the runtime when an fd of this link was closed."""
        if not self.runtime.holds(self):
            self.release()

    def detach(self) -> None:
        raise BPFError(errno.EOPNOTSUPP, f"{LT(self.link_type).name} links cannot be "
                       "detached (close the link instead)")

    def update_prog(self, new: BpfProg, old: BpfProg | None) -> None:
        raise BPFError(errno.EINVAL, f"{LT(self.link_type).name} links cannot change "
                       "their program")

    def fill_info(self, info: LinkInfo) -> None:
        """ops->fill_link_info."""

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:
            pass


class PerfLink(BpfLink):
    """BPF_LINK_TYPE_PERF_EVENT: a program on a perf event (uprobe, tracepoint)."""

    link_type = LT.BPF_LINK_TYPE_PERF_EVENT

    def __init__(self, runtime: Runtime, prog: BpfProg, event: PerfEvent, cookie: int) -> None:
        super().__init__(runtime, prog, AT.BPF_PERF_EVENT)
        self.event = event          # the link holds the perf event (its file)
        self.cookie = cookie

    def _release(self) -> None:
        self.event.clear_prog()
        self.event.fd_dropped()

    def fill_info(self, info: LinkInfo) -> None:
        pe = info.perf_event
        ev = self.event
        if ev.kind == "timer":          # a software cpu-clock event
            pe.type = BPF_PERF_EVENT_EVENT
            pe.event.type, pe.event.config = PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK
            pe.event.cookie = self.cookie
            return
        if ev.kind == "tracepoint":
            ubuf, ulen = pe.tracepoint.tp_name, pe.tracepoint.name_len
            name = ev.tp.event if ev.tp is not None else ev.target
            kind, cookie_at = BPF_PERF_EVENT_TRACEPOINT, "tracepoint"
        else:
            ubuf, ulen = pe.uprobe.file_name, pe.uprobe.name_len
            name = ev.target
            kind = BPF_PERF_EVENT_URETPROBE if ev.retprobe else BPF_PERF_EVENT_UPROBE
            cookie_at = "uprobe"
        if bool(ubuf) != bool(ulen):
            raise BPFError(errno.EINVAL, "name buffer and length must be given together")
        pe.type = kind
        member = getattr(pe, cookie_at)
        member.name_len = len(name.encode()) + 1
        member.cookie = self.cookie
        if ubuf:
            copy_name(ubuf, ulen, name)


class RawTracepointLink(BpfLink):
    """BPF_LINK_TYPE_RAW_TRACEPOINT (RAW_TRACEPOINT_OPEN)."""

    link_type = LT.BPF_LINK_TYPE_RAW_TRACEPOINT

    def __init__(self, runtime: Runtime, prog: BpfProg, tp: Any, cookie: int) -> None:
        super().__init__(runtime, prog, AT.BPF_TRACE_RAW_TP)
        self.tp = tp
        self.cookie = cookie
        from pyebpf.probes import _Attached

        self.attached = _Attached(prog, cookie, self)

    def attach(self) -> None:
        self.tp.add(self.attached, raw=True)

    def _release(self) -> None:
        self.tp.remove(self.attached)

    def fill_info(self, info: LinkInfo) -> None:
        r = info.raw_tracepoint
        ubuf, ulen = r.tp_name, r.tp_name_len
        if bool(ubuf) != bool(ulen):
            raise BPFError(errno.EINVAL, "tp_name and tp_name_len must be given together")
        r.tp_name_len = len(self.tp.name.encode()) + 1
        r.cookie = self.cookie
        if ubuf:
            copy_name(ubuf, ulen, self.tp.name)


# --- bpf() commands --------------------------------------------------------------------------

def _check_attach_type(prog: BpfProg, attach_type: int) -> None:
    """bpf_prog_attach_check_attach_type, for LINK_CREATE."""
    t, eat = prog.prog_type, prog.expected_attach_type
    if t == PT.BPF_PROG_TYPE_KPROBE:
        multi = (AT.BPF_TRACE_KPROBE_MULTI, AT.BPF_TRACE_UPROBE_MULTI,
                 AT.BPF_TRACE_KPROBE_SESSION, AT.BPF_TRACE_UPROBE_SESSION)
        if eat in multi and attach_type != eat:
            raise BPFError(errno.EINVAL, "a multi-probe program attaches as loaded")
        if attach_type not in (AT.BPF_PERF_EVENT, *multi):
            raise BPFError(errno.EINVAL, f"kprobe programs do not attach as {attach_type}")
        return
    if t in (PT.BPF_PROG_TYPE_TRACEPOINT, PT.BPF_PROG_TYPE_PERF_EVENT):
        if attach_type != AT.BPF_PERF_EVENT:
            raise BPFError(errno.EINVAL, "tracepoint and perf_event programs attach as "
                           "BPF_PERF_EVENT")
        return
    if _ATTACH_PROG_TYPE.get(attach_type) != t:
        raise BPFError(errno.EINVAL, f"attach type {attach_type} is not for "
                       f"{PT(t).name} programs")


# attach_type_to_prog_type, for the attach types of the program types pyebpf loads
_ATTACH_PROG_TYPE = {
    AT.BPF_CGROUP_INET_INGRESS: PT.BPF_PROG_TYPE_CGROUP_SKB,
    AT.BPF_CGROUP_INET_EGRESS: PT.BPF_PROG_TYPE_CGROUP_SKB,
    AT.BPF_XDP: PT.BPF_PROG_TYPE_XDP,
    AT.BPF_TCX_INGRESS: PT.BPF_PROG_TYPE_SCHED_CLS,
    AT.BPF_TCX_EGRESS: PT.BPF_PROG_TYPE_SCHED_CLS,
    AT.BPF_NETKIT_PRIMARY: PT.BPF_PROG_TYPE_SCHED_CLS,
    AT.BPF_NETKIT_PEER: PT.BPF_PROG_TYPE_SCHED_CLS,
    AT.BPF_PERF_EVENT: PT.BPF_PROG_TYPE_PERF_EVENT,
    **{a: PT.BPF_PROG_TYPE_TRACING for a in (
        AT.BPF_TRACE_RAW_TP, AT.BPF_TRACE_FENTRY, AT.BPF_TRACE_FEXIT,
        AT.BPF_MODIFY_RETURN, AT.BPF_TRACE_ITER)},
}


def link_create(rt: Runtime, lc: Any) -> int:
    """BPF_LINK_CREATE (the link types pyebpf has: perf-event links)."""
    prog = rt.get_prog(lc.prog_fd)
    _check_attach_type(prog, lc.attach_type)
    t = prog.prog_type
    if t in (PT.BPF_PROG_TYPE_KPROBE, PT.BPF_PROG_TYPE_TRACEPOINT,
             PT.BPF_PROG_TYPE_PERF_EVENT) and lc.attach_type == AT.BPF_PERF_EVENT:
        # bpf_perf_link_attach
        if lc.flags:
            raise BPFError(errno.EINVAL, "perf event links take no flags")
        try:
            event = rt.get(lc.target_fd)
        except BPFError as e:
            if e.errno != errno.EINVAL:
                raise
            event = None
        if not isinstance(event, PerfEvent):
            raise BPFError(errno.EBADF, f"target fd {lc.target_fd} is not a perf event")
        link = PerfLink(rt, prog, event, lc.perf_event.bpf_cookie)
        event.set_prog(prog, link.cookie, link)
        link.settle()
        return rt.new_fd(link)
    if t == PT.BPF_PROG_TYPE_KPROBE:
        # bpf_kprobe_multi_link_attach/bpf_uprobe_multi_link_attach: addresses in
        # binaries; Python functions have none
        raise BPFError(errno.EOPNOTSUPP, "multi-probe links need kernel or ELF symbols; "
                       "attach Python functions through perf events (BPF_PERF_EVENT)")
    if t == PT.BPF_PROG_TYPE_XDP:
        raise BPFError(errno.EINVAL, f"no network device with ifindex {lc.target_ifindex}")
    if t == PT.BPF_PROG_TYPE_SCHED_CLS:
        raise BPFError(errno.ENODEV, f"no network device with ifindex {lc.target_ifindex}")
    if t == PT.BPF_PROG_TYPE_CGROUP_SKB:
        from pyebpf.cgroups import cgroup_link_create

        return cgroup_link_create(rt, prog, lc)
    raise BPFError(errno.EINVAL, f"{PT(t).name} programs have no link type in pyebpf")


def raw_tracepoint_open(rt: Runtime, name_ptr: int, prog_fd: int, cookie: int) -> int:
    """BPF_RAW_TRACEPOINT_OPEN (bpf_raw_tp_link_attach) on an application tracepoint."""
    from pyebpf.probes import MAX_TP_ARGS, find_tracepoint
    from pyebpf.syscall import _strncpy_from_user

    prog = rt.get_prog(prog_fd)
    if prog.prog_type not in (PT.BPF_PROG_TYPE_RAW_TRACEPOINT,
                              PT.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE):
        raise BPFError(errno.EINVAL, f"{PT(prog.prog_type).name} programs do not attach to "
                       "raw tracepoints")
    name = _strncpy_from_user(name_ptr, 127).decode("latin-1") if name_ptr else None
    if name is None:
        raise BPFError(errno.EFAULT, "tracepoint name is NULL")
    tp = find_tracepoint(name)
    if tp is None:
        raise BPFError(errno.ENOENT, f"no raw tracepoint {name!r}")
    nargs = len(tp.args) if tp.args else MAX_TP_ARGS
    if prog.max_ctx_offset > nargs * 8:
        raise BPFError(errno.EINVAL, f"program reads {prog.max_ctx_offset} bytes of context; "
                       f"{tp.name} has {nargs} arguments")
    link = RawTracepointLink(rt, prog, tp, cookie)
    link.attach()
    link.settle()
    return rt.new_fd(link)


def link_update(rt: Runtime, lu: Any) -> int:
    if lu.flags & ~BPF_F_REPLACE:
        raise BPFError(errno.EINVAL, f"unknown flags {lu.flags:#x}")
    link = rt.get(lu.link_fd, BpfLink)
    new = rt.get_prog(lu.new_prog_fd)
    old = None
    if lu.flags & BPF_F_REPLACE:
        old = rt.get_prog(lu.old_prog_fd)
    elif lu.old_prog_fd:
        raise BPFError(errno.EINVAL, "old_prog_fd needs BPF_F_REPLACE")
    link.update_prog(new, old)
    return 0


def link_detach(rt: Runtime, link_fd: int) -> int:
    rt.get(link_fd, BpfLink).detach()
    return 0


def iter_create(rt: Runtime, link_fd: int, flags: int) -> int:
    if flags:
        raise BPFError(errno.EINVAL, "flags must be 0")
    rt.get(link_fd, BpfLink)
    raise BPFError(errno.EINVAL, "not an iterator link")


def link_get_fd_by_id(rt: Runtime, link_id: int) -> int:
    if not rt.privileged:
        raise BPFError(errno.EPERM, "LINK_GET_FD_BY_ID needs CAP_SYS_ADMIN")
    link = rt.by_id("link", link_id)
    if link._released:
        raise BPFError(errno.ENOENT, f"link {link_id} is going away")
    return rt.new_fd(link)


def link_info(link: BpfLink, info_addr: int, info_len: int) -> int:
    """OBJ_GET_INFO_BY_FD on a link (bpf_link_get_info_by_fd): the length copied."""
    from pyebpf.syscall import PAGE_SIZE, copy_from_user, copy_to_user

    known = ctypes.sizeof(LinkInfo)
    if info_len > PAGE_SIZE:
        raise BPFError(errno.E2BIG, "info_len larger than a page")
    if info_len > known and any(copy_from_user(info_addr + known, info_len - known)):
        raise BPFError(errno.E2BIG, "info has nonzero bytes past the known struct")
    n = min(info_len, known)
    info = LinkInfo()
    ctypes.memmove(ctypes.addressof(info), copy_from_user(info_addr, n), n)
    info.type, info.id = link.link_type, link.id
    info.prog_id = link.prog.id if link.prog is not None else 0
    link.fill_info(info)
    copy_to_user(info_addr, bytes(info)[:n])
    return n


def task_fd_query(rt: Runtime, q: Any, put: Any) -> int:
    """BPF_TASK_FD_QUERY: what a perf event or raw tracepoint fd of this process runs."""
    from pyebpf.syscall import copy_to_user

    if q.flags:
        raise BPFError(errno.EINVAL, "flags must be 0")
    if q.pid != os.getpid():
        raise BPFError(errno.ESRCH, "pyebpf only knows this process")
    try:
        obj = rt.get(q.fd)
    except BPFError as e:
        if e.errno == errno.EBADF:
            raise
        raise BPFError(ENOTSUPP, f"fd {q.fd} is not a perf event or raw tracepoint") from None
    offset = addr = 0
    if isinstance(obj, RawTracepointLink):
        prog_id, fd_type, name = obj.prog.id, BPF_FD_TYPE_RAW_TRACEPOINT, obj.tp.name
    elif isinstance(obj, PerfEvent):
        if obj.attached is None:
            raise BPFError(errno.ENOENT, "no program on this perf event")
        if obj.kind == "timer":     # bpf_get_perf_event_info: not for perf_event programs
            raise BPFError(errno.EOPNOTSUPP, "perf_event programs are not described")
        prog_id = obj.attached.prog.id
        if obj.kind == "tracepoint":
            fd_type, name = BPF_FD_TYPE_TRACEPOINT, obj.tp.event
        else:
            fd_type = BPF_FD_TYPE_URETPROBE if obj.retprobe else BPF_FD_TYPE_UPROBE
            name = obj.target
    else:
        raise BPFError(ENOTSUPP, f"fd {q.fd} is not a perf event or raw tracepoint")
    data = name.encode()
    put("buf_len", len(data))
    err = 0
    if q.buf_len and q.buf:
        if q.buf_len >= len(data) + 1:
            copy_to_user(q.buf, data + b"\0")
        else:
            copy_to_user(q.buf, data[:q.buf_len - 1] + b"\0")
            err = errno.ENOSPC
    put("prog_id", prog_id)
    put("fd_type", fd_type)
    put("probe_offset", offset)
    put("probe_addr", addr)
    if err:
        raise BPFError(err, "buffer too small for the name")
    return 0


# --- the Python layer ---------------------------------------------------------------------------

class Link:
    """A link fd (as libbpf's ``struct bpf_link``): ``close()``/``destroy()`` detaches."""

    def __init__(self, fd: int, runtime: Runtime, perf_fd: int = -1) -> None:
        self.fd = fd
        self.runtime = runtime
        self._perf_fd = perf_fd
        self.id = runtime.get(fd, BpfLink).id

    def info(self) -> LinkInfo:
        from pyebpf.syscall import bpf

        info = LinkInfo()
        attr = uapi.BpfAttr()
        attr.info.bpf_fd, attr.info.info_len = self.fd, ctypes.sizeof(info)
        attr.info.info = ctypes.addressof(info)
        bpf(uapi.BpfCmd.BPF_OBJ_GET_INFO_BY_FD, attr, runtime=self.runtime)
        return info

    def pin(self, path: str) -> None:
        from pyebpf.syscall import bpf

        p = ctypes.create_string_buffer(path.encode())
        attr = uapi.BpfAttr()
        attr.pathname, attr.bpf_fd = ctypes.addressof(p), self.fd
        bpf(uapi.BpfCmd.BPF_OBJ_PIN, attr, runtime=self.runtime)

    def close(self) -> None:
        for name in ("fd", "_perf_fd"):
            fd = getattr(self, name, -1)
            if fd >= 0:
                setattr(self, name, -1)
                try:
                    self.runtime.close(fd)
                except BPFError:
                    pass

    destroy = close

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<pyebpf Link fd={self.fd} id={self.id}>"


def _prog_fd(prog: Any) -> tuple[int, Runtime]:
    rt = getattr(prog, "runtime", None) or default_runtime()
    return prog.fd if hasattr(prog, "fd") else int(prog), rt


def _perf_link(prog_fd: int, perf_fd: int, rt: Runtime, cookie: int) -> Link:
    from pyebpf.syscall import bpf

    attr = uapi.BpfAttr()
    lc = attr.link_create
    lc.prog_fd, lc.target_fd, lc.attach_type = prog_fd, perf_fd, AT.BPF_PERF_EVENT
    lc.perf_event.bpf_cookie = cookie
    try:
        fd = bpf(uapi.BpfCmd.BPF_LINK_CREATE, attr, runtime=rt)
    except BaseException:
        rt.close(perf_fd)
        raise
    return Link(fd, rt, perf_fd)


def attach_uprobe(prog: Any, target: Any, retprobe: bool = False, *, cookie: int = 0,
                  pending: bool = False) -> Link:
    """Attach a KPROBE program to a Python function (libbpf's bpf_program__attach_uprobe):
    perf_event_open of the probe, then LINK_CREATE(BPF_PERF_EVENT)."""
    fd, rt = _prog_fd(prog)
    perf = perf_event_open_uprobe(target, retprobe, pending=pending, runtime=rt)
    return _perf_link(fd, perf, rt, cookie)


def attach_tracepoint(prog: Any, name: str, *, cookie: int = 0) -> Link:
    """Attach a TRACEPOINT program to an application tracepoint (``category/name``)."""
    fd, rt = _prog_fd(prog)
    perf = perf_event_open_tracepoint(name, runtime=rt)
    return _perf_link(fd, perf, rt, cookie)


def attach_perf_event(prog: Any, freq: int = 99, *, thread: Any = None) -> Link:
    """Attach a PERF_EVENT program to a timer sampling ``thread`` ``freq`` times a second."""
    fd, rt = _prog_fd(prog)
    perf = perf_event_open_timer(freq, thread=thread, runtime=rt)
    return _perf_link(fd, perf, rt, 0)


def attach_raw_tracepoint(prog: Any, name: str, *, cookie: int = 0) -> Link:
    """RAW_TRACEPOINT_OPEN of a RAW_TRACEPOINT program on ``category:name``."""
    from pyebpf.syscall import bpf

    fd, rt = _prog_fd(prog)
    buf = ctypes.create_string_buffer(name.encode())
    raw = bytearray(ctypes.sizeof(uapi.BpfAttr))
    struct.pack_into("<QI4xQ", raw, 0, ctypes.addressof(buf), fd, cookie)
    attr = uapi.BpfAttr.from_buffer(raw)
    return Link(bpf(uapi.BpfCmd.BPF_RAW_TRACEPOINT_OPEN, attr, runtime=rt), rt)


def attach(prog: Any, section: str, *, pending: bool = False) -> Link:
    """Attach by ``SEC()`` name, as libbpf's auto-attach does: ``uprobe/mod:func``,
    ``uretprobe/mod:func``, ``tp/category/name`` (``tracepoint/``), ``raw_tp/cat:name``
    (``raw_tracepoint/``)."""
    kind, _, rest = section.partition("/")
    if kind in ("uprobe", "uretprobe") and rest:
        return attach_uprobe(prog, rest, kind == "uretprobe", pending=pending)
    if kind in ("tp", "tracepoint") and rest:
        return attach_tracepoint(prog, rest)
    if kind in ("raw_tp", "raw_tracepoint") and rest:
        return attach_raw_tracepoint(prog, rest)
    raise BPFError(errno.EOPNOTSUPP, f"section {section!r} has no attach point in pyebpf")


def attach_collection(coll: Any, *, pending: bool = False) -> list[Link]:
    """Attach every program of a loaded collection whose section names an attach point
    (uprobe, uretprobe, tp, raw_tp); the links, in program order."""
    links: list[Link] = []
    try:
        for name, prog in coll.programs.items():
            section = coll.spec.programs[name].section
            if section.partition("/")[0] in ("uprobe", "uretprobe", "tp", "tracepoint",
                                               "raw_tp", "raw_tracepoint"):
                links.append(attach(prog, section, pending=pending))
    except BaseException:
        for link in links:
            link.close()
        raise
    return links


def list_links(runtime: Runtime | None = None) -> list[dict[str, Any]]:
    """Every link of the runtime, as ``bpftool link`` lists the kernel's: walked with
    LINK_GET_NEXT_ID/LINK_GET_FD_BY_ID and described by OBJ_GET_INFO_BY_FD."""
    from pyebpf.syscall import bpf

    rt = runtime or default_runtime()
    out: list[dict[str, Any]] = []
    start = 0
    while True:
        a = uapi.BpfAttr()
        a.start_id = start
        try:
            bpf(uapi.BpfCmd.BPF_LINK_GET_NEXT_ID, a, runtime=rt)
        except BPFError as e:
            if e.errno == errno.ENOENT:
                return out
            raise
        start = a.next_id
        g = uapi.BpfAttr()
        g.start_id = start
        try:
            fd = bpf(uapi.BpfCmd.BPF_LINK_GET_FD_BY_ID, g, runtime=rt)
        except BPFError:
            continue                        # released meanwhile
        try:
            out.append(_describe(rt, fd))
        finally:
            rt.close(fd)


def _describe(rt: Runtime, fd: int) -> dict[str, Any]:
    from pyebpf.syscall import bpf

    name = ctypes.create_string_buffer(512)
    info = LinkInfo()

    def get() -> None:
        attr = uapi.BpfAttr()
        attr.info.bpf_fd, attr.info.info_len = fd, ctypes.sizeof(info)
        attr.info.info = ctypes.addressof(info)
        bpf(uapi.BpfCmd.BPF_OBJ_GET_INFO_BY_FD, attr, runtime=rt)

    get()
    ltype = info.type
    if ltype == LT.BPF_LINK_TYPE_PERF_EVENT:
        info.perf_event.uprobe.file_name, info.perf_event.uprobe.name_len = \
            ctypes.addressof(name), len(name)
        get()
    elif ltype == LT.BPF_LINK_TYPE_RAW_TRACEPOINT:
        info.raw_tracepoint.tp_name, info.raw_tracepoint.tp_name_len = \
            ctypes.addressof(name), len(name)
        get()
    d: dict[str, Any] = {"id": info.id, "type": LT(ltype).name.removeprefix(
        "BPF_LINK_TYPE_").lower(), "prog_id": info.prog_id}
    prog = rt._ids["prog"].get(info.prog_id)
    if prog is not None:
        d["prog_name"] = prog.name
    if ltype == LT.BPF_LINK_TYPE_PERF_EVENT:
        kind = {BPF_PERF_EVENT_UPROBE: "uprobe", BPF_PERF_EVENT_URETPROBE: "uretprobe",
                BPF_PERF_EVENT_TRACEPOINT: "tracepoint"}.get(info.perf_event.type, "event")
        d[kind] = name.value.decode()
        d["cookie"] = info.perf_event.uprobe.cookie if kind != "tracepoint" else \
            info.perf_event.tracepoint.cookie
    elif ltype == LT.BPF_LINK_TYPE_RAW_TRACEPOINT:
        d["tp_name"] = name.value.decode()
        d["cookie"] = info.raw_tracepoint.cookie
    elif ltype == LT.BPF_LINK_TYPE_CGROUP:
        cg_id, atype = struct.unpack_from("<QI", bytes(info), 16)
        d["cgroup_id"], d["attach_type"] = cg_id, AT(atype).name
    return d


__all__ = ["BpfLink", "Link", "LinkInfo", "PerfEvent", "PerfLink", "RawTracepointLink",
           "attach", "attach_collection", "attach_perf_event", "attach_raw_tracepoint",
           "attach_tracepoint", "attach_uprobe", "list_links", "perf_event_open_timer",
           "perf_event_open_tracepoint", "perf_event_open_uprobe"]
