"""Cgroups for ``BPF_PROG_ATTACH``/``DETACH``/``QUERY`` and cgroup links, in a runtime.

pyebpf's cgroups are a tree of its own (``/sys/fs/cgroup/...`` names, nothing of the
machine's): :func:`cgroup_open` gives an fd for one, as ``open()`` of a cgroup directory
does, creating it and its parents if needed.  CGROUP_SKB programs attach to them with the
kernel's rules (kernel/bpf/cgroup.c, ``__cgroup_bpf_attach``/``__cgroup_bpf_detach``/
``__cgroup_bpf_query``/``compute_effective_progs``):

- a cgroup's programs of one attach type share its flags: none (one program, replaced by
  the next attach), ``BPF_F_ALLOW_OVERRIDE`` (one program, descendants may attach their
  own, which then run instead) or ``BPF_F_ALLOW_MULTI`` (a list, run in attach order;
  descendants' programs run first, then these).  Attaching with other flags than the ones
  in place is EPERM; OVERRIDE with MULTI, or REPLACE without MULTI, EINVAL; below a
  cgroup holding a program without OVERRIDE or MULTI, EPERM; the same program twice in
  a MULTI list EINVAL; more than 64 programs E2BIG; REPLACE of a program not in the list
  ENOENT;
- PROG_DETACH of a MULTI list needs the program (EINVAL without, ENOENT if it is not
  there, or was attached through a link); of a single program, any (or no) program fd
  detaches it; detaching from an empty cgroup is ENOENT;
- PROG_QUERY gives the programs attached here (with their flags) or, with
  ``BPF_F_QUERY_EFFECTIVE``, the ones that run here (and flags 0); ENOSPC when
  ``prog_cnt`` is short, after copying what fits;
- cgroup links (LINK_CREATE) are MULTI entries; LINK_DETACH takes the program off (a
  second detach does nothing: 0), LINK_UPDATE of a detached link is ENOLINK, with an
  ``old_prog`` that is not the link's EPERM, to another program type EINVAL.

:meth:`Cgroup.run_skb` runs a packet through a cgroup's effective programs, as
``__cgroup_bpf_run_filter_skb`` does: allowed only if every program returns 1 (bit 0).

Not modelled: 6.15's ``BPF_F_BEFORE``/``BPF_F_AFTER``/``BPF_F_ID``/``BPF_F_PREORDER``
ordering flags (EINVAL here) and the query's ``revision``.
"""

from __future__ import annotations

import ctypes
import errno
import itertools
import os
import struct
from dataclasses import dataclass, field
from typing import Any

from pyebpf import uapi
from pyebpf.errors import BPFError
from pyebpf.links import BpfLink, LinkInfo
from pyebpf.runtime import BpfProg, Runtime, default_runtime

PT = uapi.BpfProgType
AT = uapi.BpfAttachType
ALLOW_OVERRIDE, ALLOW_MULTI, REPLACE = (uapi.BPF_F_ALLOW_OVERRIDE, uapi.BPF_F_ALLOW_MULTI,
                                        uapi.BPF_F_REPLACE)
BPF_CGROUP_MAX_PROGS = 64
CGROUP_ROOT = "/sys/fs/cgroup"
CGROUP_TYPES = {AT.BPF_CGROUP_INET_INGRESS: PT.BPF_PROG_TYPE_CGROUP_SKB,
                AT.BPF_CGROUP_INET_EGRESS: PT.BPF_PROG_TYPE_CGROUP_SKB}
_ids = itertools.count(1)


@dataclass(eq=False)
class _Entry:
    prog: BpfProg
    link: CgroupLink | None = None


@dataclass(eq=False)
class Cgroup:
    """One cgroup: its programs and flags per attach type."""

    path: str
    parent: Cgroup | None
    id: int = field(default_factory=lambda: next(_ids))
    progs: dict[int, list[_Entry]] = field(default_factory=dict)
    flags: dict[int, int] = field(default_factory=dict)

    def _hierarchy_allows_attach(self, atype: int) -> bool:
        p = self.parent
        while p is not None:
            flags = p.flags.get(atype, 0)
            if flags & ALLOW_MULTI:
                return True
            if len(p.progs.get(atype, ())) == 1:
                return bool(flags & ALLOW_OVERRIDE)
            p = p.parent
        return True

    def attach(self, atype: int, prog: BpfProg | None, flags: int,
               replace: BpfProg | None = None, link: CgroupLink | None = None) -> None:
        """__cgroup_bpf_attach."""
        if (flags & ALLOW_OVERRIDE and flags & ALLOW_MULTI) or \
                (flags & REPLACE and not flags & ALLOW_MULTI):
            raise BPFError(errno.EINVAL, "invalid combination of attach flags")
        if link is not None and (prog is not None or replace is not None):
            raise BPFError(errno.EINVAL, "a link or a program, not both")
        if (replace is not None) != bool(flags & REPLACE):
            raise BPFError(errno.EINVAL, "replace_bpf_fd and BPF_F_REPLACE go together")
        new_prog = link.prog if link is not None else prog
        assert new_prog is not None
        progs = self.progs.setdefault(atype, [])
        saved = flags & (ALLOW_OVERRIDE | ALLOW_MULTI)
        if not self._hierarchy_allows_attach(atype):
            raise BPFError(errno.EPERM, "an ancestor's program does not allow override")
        if progs and self.flags.get(atype, 0) != saved:
            raise BPFError(errno.EPERM, "the programs here were attached with other flags")
        if len(progs) >= BPF_CGROUP_MAX_PROGS:
            raise BPFError(errno.E2BIG, f"{BPF_CGROUP_MAX_PROGS} programs already")
        # find_attach_entry
        target: _Entry | None = None
        if not flags & ALLOW_MULTI:
            target = progs[0] if progs else None
        else:
            for e in progs:
                if prog is not None and e.link is None and e.prog is prog \
                        and prog is not replace:
                    raise BPFError(errno.EINVAL, "program already attached here")
                if link is not None and e.link is link:
                    raise BPFError(errno.EINVAL, "link already attached here")
            if replace is not None:
                target = next((e for e in progs if e.link is None and e.prog is replace),
                              None)
                if target is None:
                    raise BPFError(errno.ENOENT, "the program to replace is not attached here")
        if target is not None:
            target.prog, target.link = new_prog, link
        else:
            progs.append(_Entry(new_prog, link))
        self.flags[atype] = saved

    def detach(self, atype: int, prog: BpfProg | None, link: CgroupLink | None = None) -> None:
        """__cgroup_bpf_detach."""
        progs = self.progs.get(atype, [])
        flags = self.flags.get(atype, 0)
        if prog is not None and link is not None:
            raise BPFError(errno.EINVAL, "a link or a program, not both")
        if not flags & ALLOW_MULTI:
            if not progs:
                raise BPFError(errno.ENOENT, "nothing attached")
            entry = progs[0]
            if link is not None and entry.link is not link:
                raise BPFError(errno.ENOENT, "link not attached here")
        else:
            if prog is None and link is None:
                raise BPFError(errno.EINVAL, "detaching from a MULTI list needs the program")
            if link is not None:
                entry = next((e for e in progs if e.link is link), None)
            else:
                entry = next((e for e in progs if e.link is None and e.prog is prog), None)
            if entry is None:
                raise BPFError(errno.ENOENT, "program not attached here")
        progs.remove(entry)
        if not progs:
            self.flags[atype] = 0

    def effective(self, atype: int) -> list[BpfProg]:
        """compute_effective_progs: this cgroup's programs, then each MULTI ancestor's
        (an ancestor without MULTI only while nothing was found below it)."""
        out: list[BpfProg] = []
        p: Cgroup | None = self
        while p is not None:
            if not out or p.flags.get(atype, 0) & ALLOW_MULTI:
                out.extend(e.prog for e in p.progs.get(atype, ()))
            p = p.parent
        return out

    def run_skb(self, data: bytes, egress: bool = False) -> bool:
        """A packet through the effective CGROUP_SKB programs: allowed unless one says 0."""
        from pyebpf.progtypes import TestRunParams, test_run

        atype = AT.BPF_CGROUP_INET_EGRESS if egress else AT.BPF_CGROUP_INET_INGRESS
        allowed = True
        for prog in self.effective(atype):
            out = test_run(prog, TestRunParams(data_in=data))
            allowed &= bool(out.retval & 1)
        return allowed


class CgroupLink(BpfLink):
    """BPF_LINK_TYPE_CGROUP: a MULTI entry of a cgroup, owned by a link."""

    link_type = uapi.BpfLinkType.BPF_LINK_TYPE_CGROUP

    def __init__(self, runtime: Runtime, prog: BpfProg, attach_type: int, cg: Cgroup) -> None:
        super().__init__(runtime, prog, attach_type)
        self.cgroup: Cgroup | None = cg

    def _release(self) -> None:
        cg, self.cgroup = self.cgroup, None
        if cg is not None:
            cg.detach(self.attach_type, None, self)

    def detach(self) -> None:
        """bpf_cgroup_link_detach: off the cgroup now; again: nothing to do."""
        self._release()

    def update_prog(self, new: BpfProg, old: BpfProg | None) -> None:
        """cgroup_bpf_replace."""
        if self.cgroup is None:
            raise BPFError(errno.ENOLINK, "the link was detached")
        if old is not None and self.prog is not old:
            raise BPFError(errno.EPERM, "old_prog is not the link's program")
        assert self.prog is not None
        if new.prog_type != self.prog.prog_type or \
                new.expected_attach_type != self.prog.expected_attach_type:
            raise BPFError(errno.EINVAL, "the new program is of another type")
        for e in self.cgroup.progs.get(self.attach_type, ()):
            if e.link is self:
                e.prog = new
        self.prog = new

    def fill_info(self, info: LinkInfo) -> None:
        raw = struct.pack("<QI", self.cgroup.id if self.cgroup is not None else 0,
                          self.attach_type)
        ctypes.memmove(ctypes.addressof(info) + 16, raw, len(raw))


class CgroupFd:
    """What a cgroup fd refers to (the directory, in the kernel)."""

    def __init__(self, cg: Cgroup) -> None:
        self.cgroup = cg


def _tree(rt: Runtime) -> dict[str, Cgroup]:
    tree = getattr(rt, "_cgroups", None)
    if tree is None:
        tree = rt._cgroups = {CGROUP_ROOT: Cgroup(CGROUP_ROOT, None)}   # type: ignore[attr-defined]
    return tree


def cgroup_open(path: str = CGROUP_ROOT, *, runtime: Runtime | None = None) -> int:
    """An fd for the runtime's cgroup ``path`` (under /sys/fs/cgroup; created with its
    parents when missing, as ``mkdir -p`` then ``open``)."""
    rt = runtime or default_runtime()
    path = os.path.normpath(path if path.startswith("/") else f"{CGROUP_ROOT}/{path}")
    if path != CGROUP_ROOT and not path.startswith(CGROUP_ROOT + "/"):
        raise BPFError(errno.ENOENT, f"{path} is not under {CGROUP_ROOT}")
    tree = _tree(rt)
    node = tree[CGROUP_ROOT]
    cur = CGROUP_ROOT
    for part in path[len(CGROUP_ROOT):].strip("/").split("/"):
        if not part:
            continue
        cur = f"{cur}/{part}"
        nxt = tree.get(cur)
        if nxt is None:
            nxt = tree[cur] = Cgroup(cur, node)
        node = nxt
    return rt.new_fd(CgroupFd(node))


def get_cgroup(rt: Runtime, fd: int) -> Cgroup:
    """cgroup_get_from_fd: EBADF for a closed fd or one that is not a cgroup."""
    try:
        obj = rt.get(fd)
    except BPFError as e:
        if e.errno != errno.EINVAL:
            raise
        obj = None
    if not isinstance(obj, CgroupFd):
        raise BPFError(errno.EBADF, f"fd {fd} is not a cgroup")
    return obj.cgroup


# --- bpf() commands --------------------------------------------------------------------------

_BASE_FLAGS = ALLOW_OVERRIDE | ALLOW_MULTI | REPLACE


def _prog_of_type(rt: Runtime, fd: int, ptype: int) -> BpfProg:
    """bpf_prog_get_type: EBADF/EINVAL, and EINVAL for another program type."""
    prog = rt.get_prog(fd)
    if prog.prog_type != ptype:
        raise BPFError(errno.EINVAL, f"fd {fd} is a {PT(prog.prog_type).name} program")
    return prog


def _check_cgroup_skb(rt: Runtime, prog: BpfProg, attach_type: int) -> None:
    if not rt.privileged:
        raise BPFError(errno.EPERM, "attaching cgroup skb programs needs CAP_NET_ADMIN")
    if prog.expected_attach_type and prog.expected_attach_type != attach_type:
        raise BPFError(errno.EINVAL, "the program was loaded for another attach type")


def prog_attach(rt: Runtime, a: Any) -> int:
    ptype = CGROUP_TYPES.get(a.attach_type)
    if ptype is None:
        from pyebpf.links import _ATTACH_PROG_TYPE

        if a.attach_type in _ATTACH_PROG_TYPE or a.attach_type >= uapi.MAX_BPF_ATTACH_TYPE:
            raise BPFError(errno.EINVAL, f"attach type {a.attach_type} is not for PROG_ATTACH")
        raise BPFError(errno.EINVAL, f"attach type {a.attach_type} has no target in pyebpf")
    if a.attach_flags & ~_BASE_FLAGS:
        raise BPFError(errno.EINVAL, f"attach_flags {a.attach_flags:#x} (BPF_F_BEFORE/AFTER/"
                       "ID/PREORDER are not modelled)")
    prog = _prog_of_type(rt, a.attach_bpf_fd, ptype)
    _check_cgroup_skb(rt, prog, a.attach_type)
    cg = get_cgroup(rt, a.target_fd)
    replace = None
    if a.attach_flags & ALLOW_MULTI and a.attach_flags & REPLACE:
        replace = _prog_of_type(rt, a.replace_bpf_fd, ptype)
    cg.attach(a.attach_type, prog, a.attach_flags, replace)
    return 0


def prog_detach(rt: Runtime, a: Any) -> int:
    ptype = CGROUP_TYPES.get(a.attach_type)
    if ptype is None:
        raise BPFError(errno.EINVAL, f"attach type {a.attach_type} has no target in pyebpf")
    cg = get_cgroup(rt, a.target_fd)
    try:
        prog = _prog_of_type(rt, a.attach_bpf_fd, ptype)
    except BPFError:
        prog = None          # cgroup_bpf_prog_detach: an invalid fd is "no program"
    cg.detach(a.attach_type, prog)
    return 0


def prog_query(rt: Runtime, q: Any, put: Any) -> int:
    from pyebpf.syscall import copy_to_user

    if not rt.privileged:
        raise BPFError(errno.EPERM, "PROG_QUERY needs CAP_NET_ADMIN")
    if q.query_flags & ~uapi.BPF_F_QUERY_EFFECTIVE:
        raise BPFError(errno.EINVAL, f"query_flags {q.query_flags:#x}")
    if q.attach_type not in CGROUP_TYPES:
        raise BPFError(errno.EINVAL, f"attach type {q.attach_type} has no target in pyebpf")
    cg = get_cgroup(rt, q.target_fd)
    effective = bool(q.query_flags & uapi.BPF_F_QUERY_EFFECTIVE)
    if effective and q.prog_attach_flags:
        raise BPFError(errno.EINVAL, "prog_attach_flags are not given for effective queries")
    progs = cg.effective(q.attach_type) if effective else \
        [e.prog for e in cg.progs.get(q.attach_type, ())]
    flags = 0 if effective else cg.flags.get(q.attach_type, 0)
    put("attach_flags", flags)
    total = len(progs)
    want = q.prog_cnt
    put("prog_cnt", total)
    if want == 0 or not q.prog_ids or not total:
        return 0
    err = 0
    if want < total:
        total, err = want, errno.ENOSPC
    copy_to_user(q.prog_ids, struct.pack(f"<{total}I", *[p.id for p in progs[:total]]))
    if q.prog_attach_flags:
        copy_to_user(q.prog_attach_flags, struct.pack(f"<{total}I", *[flags] * total))
    if err:
        raise BPFError(err, f"prog_cnt {want} < {len(progs)} programs")
    return 0


def cgroup_link_create(rt: Runtime, prog: BpfProg, lc: Any) -> int:
    """cgroup_bpf_link_attach: a MULTI entry owned by a new link."""
    _check_cgroup_skb(rt, prog, lc.attach_type)
    if lc.flags:
        raise BPFError(errno.EINVAL, "cgroup links take no flags")
    cg = get_cgroup(rt, lc.target_fd)
    link = CgroupLink(rt, prog, lc.attach_type, cg)
    cg.attach(lc.attach_type, None, ALLOW_MULTI, None, link)
    link.settle()
    return rt.new_fd(link)


def attach_cgroup(prog: Any, cgroup_fd: int, attach_type: int = AT.BPF_CGROUP_INET_INGRESS,
                  flags: int = 0) -> None:
    """PROG_ATTACH of a program (``objects.Program``) to a cgroup fd."""
    from pyebpf.syscall import bpf

    a = uapi.BpfAttr()
    a.target_fd, a.attach_bpf_fd, a.attach_type, a.attach_flags = \
        cgroup_fd, prog.fd, attach_type, flags
    bpf(uapi.BpfCmd.BPF_PROG_ATTACH, a, runtime=prog.runtime)


__all__ = ["CGROUP_ROOT", "Cgroup", "CgroupLink", "attach_cgroup", "cgroup_open",
           "get_cgroup", "prog_attach", "prog_detach", "prog_query"]
