"""PROG_ATTACH/DETACH/QUERY and cgroup links on pyebpf's cgroups, with the kernel's rules
(kernel/bpf/cgroup.c: __cgroup_bpf_attach, __cgroup_bpf_detach, __cgroup_bpf_query,
compute_effective_progs).  No cgroup of the machine is touched."""

from __future__ import annotations

import ctypes
import errno
import struct
from typing import Any

import pytest

from pyebpf import asm, cgroups, uapi
from pyebpf.errors import BPFError
from pyebpf.objects import Program
from pyebpf.runtime import Runtime
from pyebpf.syscall import bpf

Cmd = uapi.BpfCmd
AT = uapi.BpfAttachType
PT = uapi.BpfProgType
OVERRIDE, MULTI, REPLACE = 1, 2, 4
ING = AT.BPF_CGROUP_INET_INGRESS
PACKET = bytes(14) + b"\x45" + bytes(39)


@pytest.fixture
def rt() -> Runtime:
    return Runtime()


def prog(rt: Runtime, r0: int = 1, ptype: int = PT.BPF_PROG_TYPE_CGROUP_SKB) -> Program:
    return Program(asm.assemble(f"r0 = {r0}\nexit", "llvm"), ptype, runtime=rt)


def err(fn: Any, *a: Any) -> int:
    if fn is bpf:               # bpf(cmd, attr, rt): the runtime is a keyword
        *a, rt = a
        return err(lambda *x: bpf(*x, runtime=rt), *a)
    with pytest.raises(BPFError) as e:
        fn(*a)
    return e.value.errno


def attach(rt: Runtime, cg: int, p: Any, flags: int = 0, replace: Any = None,
           atype: int = ING) -> None:
    a = uapi.BpfAttr()
    a.target_fd, a.attach_bpf_fd, a.attach_type, a.attach_flags = cg, p.fd if p else 0, \
        atype, flags
    a.replace_bpf_fd = replace.fd if replace is not None else 0
    bpf(Cmd.BPF_PROG_ATTACH, a, runtime=rt)


def detach(rt: Runtime, cg: int, p: Any, atype: int = ING) -> None:
    a = uapi.BpfAttr()
    a.target_fd, a.attach_bpf_fd, a.attach_type = cg, p.fd if p else 9999, atype
    bpf(Cmd.BPF_PROG_DETACH, a, runtime=rt)


def query(rt: Runtime, cg: int, effective: bool = False, cnt: int = 64,
          with_flags: bool = True) -> tuple[int, list[int], list[int]]:
    a = uapi.BpfAttr()
    ids = (ctypes.c_uint32 * max(cnt, 1))()
    fl = (ctypes.c_uint32 * max(cnt, 1))()
    q = a.query
    q.target_fd, q.attach_type, q.query_flags = cg, ING, int(effective)
    q.prog_ids, q.prog_cnt = ctypes.addressof(ids), cnt
    q.prog_attach_flags = ctypes.addressof(fl) if with_flags and not effective else 0
    bpf(Cmd.BPF_PROG_QUERY, a, runtime=rt)
    n = min(q.prog_cnt, cnt)
    return q.attach_flags, list(ids[:n]), list(fl[:n]) if q.prog_attach_flags else []


def test_single_program_is_replaced_and_detached_by_any_fd(rt: Runtime) -> None:
    cg = cgroups.cgroup_open("a", runtime=rt)
    p1, p2 = prog(rt), prog(rt)
    attach(rt, cg, p1)
    attach(rt, cg, p2)                          # no flags: the next attach replaces
    assert query(rt, cg) == (0, [p2.id], [0])
    assert err(attach, rt, cg, p1, MULTI) == errno.EPERM       # other flags than in place
    detach(rt, cg, None)                        # legacy: no program needed
    assert query(rt, cg) == (0, [], [])
    assert err(detach, rt, cg, p1) == errno.ENOENT              # detaching twice


def test_override_and_hierarchy(rt: Runtime) -> None:
    parent = cgroups.cgroup_open("/sys/fs/cgroup/svc", runtime=rt)
    child = cgroups.cgroup_open("/sys/fs/cgroup/svc/worker", runtime=rt)
    allow, drop = prog(rt, 1), prog(rt, 0)
    attach(rt, parent, drop)                    # no OVERRIDE: children may not attach
    assert err(attach, rt, child, allow) == errno.EPERM
    detach(rt, parent, drop)
    attach(rt, parent, drop, OVERRIDE)
    c = cgroups.get_cgroup(rt, child)
    assert c.effective(ING) == [rt.get_prog(drop.fd)] and not c.run_skb(PACKET)
    attach(rt, child, allow)                    # overrides the parent's for the child
    assert query(rt, child, effective=True) == (0, [allow.id], [])
    assert query(rt, parent, effective=True) == (0, [drop.id], [])
    assert c.run_skb(PACKET) and not cgroups.get_cgroup(rt, parent).run_skb(PACKET)


def test_multi_order_replace_and_errnos(rt: Runtime) -> None:
    parent = cgroups.cgroup_open("m", runtime=rt)
    child = cgroups.cgroup_open("m/c", runtime=rt)
    a, b, c, d = (prog(rt) for _ in range(4))
    attach(rt, parent, a, MULTI)
    attach(rt, parent, b, MULTI)
    attach(rt, child, c, MULTI)
    # the child's programs run first, then the MULTI ancestors', each in attach order
    assert query(rt, child, effective=True)[1] == [c.id, a.id, b.id]
    assert query(rt, parent) == (MULTI, [a.id, b.id], [MULTI, MULTI])
    assert err(attach, rt, parent, a, MULTI) == errno.EINVAL          # twice
    assert err(attach, rt, parent, d, OVERRIDE) == errno.EPERM        # other flags
    assert err(attach, rt, parent, d, OVERRIDE | MULTI) == errno.EINVAL
    assert err(attach, rt, parent, d, REPLACE, b) == errno.EINVAL     # REPLACE needs MULTI
    assert err(attach, rt, parent, d, MULTI | REPLACE, d) == errno.ENOENT
    attach(rt, parent, d, MULTI | REPLACE, b)
    assert query(rt, parent)[1] == [a.id, d.id]
    assert err(detach, rt, parent, None) == errno.EINVAL        # MULTI needs the program
    assert err(detach, rt, parent, b) == errno.ENOENT
    detach(rt, parent, a)
    assert err(detach, rt, parent, a) == errno.ENOENT           # detaching twice
    assert query(rt, child, effective=True)[1] == [c.id, d.id]
    # short prog_cnt: what fits, and ENOSPC; the effective query takes no flags array
    assert err(query, rt, child, True, 1) == errno.ENOSPC
    a2 = uapi.BpfAttr()
    a2.query.target_fd, a2.query.query_flags = child, 1
    a2.query.prog_attach_flags = 8
    assert err(bpf, Cmd.BPF_PROG_QUERY, a2, rt) == errno.EINVAL
    a2.query.query_flags = 2
    assert err(bpf, Cmd.BPF_PROG_QUERY, a2, rt) == errno.EINVAL


def test_attach_limits_and_bad_input(rt: Runtime) -> None:
    cg = cgroups.cgroup_open("lim", runtime=rt)
    progs = [prog(rt) for _ in range(65)]
    for p in progs[:64]:
        attach(rt, cg, p, MULTI)
    assert err(attach, rt, cg, progs[64], MULTI) == errno.E2BIG
    sf = prog(rt, 1, PT.BPF_PROG_TYPE_SOCKET_FILTER)
    assert err(attach, rt, cg, sf, MULTI) == errno.EINVAL             # wrong program type
    assert err(attach, rt, sf.fd, progs[64], MULTI) == errno.EBADF    # target not a cgroup
    assert err(attach, rt, 9999, progs[64], MULTI) == errno.EBADF
    assert err(attach, rt, cg, progs[64], 1 << 3) == errno.EINVAL     # BPF_F_BEFORE
    assert err(attach, rt, cg, progs[64], 0, None, AT.BPF_XDP) == errno.EINVAL
    q = uapi.BpfAttr()
    q.query.target_fd = 9999
    assert err(bpf, Cmd.BPF_PROG_QUERY, q, rt) == errno.EBADF
    egress = Program(asm.assemble("r0 = 1\nexit", "llvm"), PT.BPF_PROG_TYPE_CGROUP_SKB,
                     expected_attach_type=AT.BPF_CGROUP_INET_EGRESS, runtime=rt)
    assert err(attach, rt, cg, egress, MULTI) == errno.EINVAL         # loaded for egress
    attach(rt, cg, egress, 0, None, AT.BPF_CGROUP_INET_EGRESS)


def _link(rt: Runtime, cg: int, p: Any) -> int:
    a = uapi.BpfAttr()
    lc = a.link_create
    lc.prog_fd, lc.target_fd, lc.attach_type = p.fd, cg, ING
    return bpf(Cmd.BPF_LINK_CREATE, a, runtime=rt)


def test_cgroup_links(rt: Runtime) -> None:
    fds = rt.open_fds()
    cg = cgroups.cgroup_open("l", runtime=rt)
    p, p2 = prog(rt), prog(rt, 0)
    direct = prog(rt)
    link = _link(rt, cg, p)
    attach(rt, cg, p, MULTI)                   # the same program directly: another entry
    attach(rt, cg, direct, MULTI)
    assert query(rt, cg)[1] == [p.id, p.id, direct.id]
    detach(rt, cg, p)                          # the direct entry, not the link's
    assert query(rt, cg)[1] == [p.id, direct.id]
    assert err(detach, rt, cg, p) == errno.ENOENT       # the link's entry is not detachable
    info = (ctypes.c_uint8 * 64)()
    ia = uapi.BpfAttr()
    ia.info.bpf_fd, ia.info.info_len, ia.info.info = link, 64, ctypes.addressof(info)
    bpf(Cmd.BPF_OBJ_GET_INFO_BY_FD, ia, runtime=rt)
    ltype, lid, prog_id, _, cg_id, atype = struct.unpack_from("<IIIIQI", bytes(info))
    assert (ltype, lid, prog_id, cg_id, atype) == (
        uapi.BpfLinkType.BPF_LINK_TYPE_CGROUP, rt.get(link).id, p.id,
        cgroups.get_cgroup(rt, cg).id, ING)
    u = uapi.BpfAttr()
    u.link_update.link_fd, u.link_update.new_prog_fd = link, p2.fd
    u.link_update.flags, u.link_update.old_prog_fd = REPLACE, direct.fd
    assert err(bpf, Cmd.BPF_LINK_UPDATE, u, rt) == errno.EPERM        # old is not the link's
    u.link_update.old_prog_fd = p.fd
    bpf(Cmd.BPF_LINK_UPDATE, u, runtime=rt)
    assert query(rt, cg)[1] == [p2.id, direct.id]
    assert not cgroups.get_cgroup(rt, cg).run_skb(PACKET)             # p2 drops
    sf = prog(rt, 1, PT.BPF_PROG_TYPE_SOCKET_FILTER)
    u2 = uapi.BpfAttr()
    u2.link_update.link_fd, u2.link_update.new_prog_fd = link, sf.fd
    assert err(bpf, Cmd.BPF_LINK_UPDATE, u2, rt) == errno.EINVAL
    d = uapi.BpfAttr()
    d.link_detach.link_fd = link
    assert bpf(Cmd.BPF_LINK_DETACH, d, runtime=rt) == 0
    assert bpf(Cmd.BPF_LINK_DETACH, d, runtime=rt) == 0               # again: nothing to do
    assert query(rt, cg)[1] == [direct.id]
    u2.link_update.new_prog_fd = p.fd
    assert err(bpf, Cmd.BPF_LINK_UPDATE, u2, rt) == errno.ENOLINK
    # a link closed without detaching takes its program off
    link2 = _link(rt, cg, p)
    assert query(rt, cg)[1] == [direct.id, p.id]
    rt.close(link2)
    assert query(rt, cg)[1] == [direct.id]
    rt.close(link)
    rt.close(cg)
    for x in (p, p2, direct, sf):
        x.close()
    assert rt.open_fds() == fds
