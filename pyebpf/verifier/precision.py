# cython: annotation_typing=False
"""Precision tracking: which scalars a verdict depended on, as Linux 6.18 tracks them.

The kernel compares scalars at pruning points only where they are *precise*: a scalar
whose exact range decided something (a branch, a pointer offset, a helper's size
argument, a callback's return value).  Everything else may differ between an explored
state and the current one.  When a check relies on a scalar, ``mark_chain_precision``
walks the instructions of the current path backwards (its jump history says where
non-linear control flow came from, and which loads and stores were register spills and
fills of the stack), finds every register and stack slot that value came from, and sets
``precise`` on them in the checkpoints (parent states) along the way: a later path that
reaches such a checkpoint is pruned only if those scalars are within the old ranges.

Loops need more: a state pruned against a checkpoint of its own loop (an SCC of the
control flow graph) that is still being explored has not seen every precision mark yet.
Such hits are recorded as back-edges of the loop's visit, and when the visit ends
(``SCC exit``) the marks are propagated along them until nothing changes.

Only a privileged (``bpf_capable``) load tracks precision: without it the kernel keeps
every scalar precise.  Precise marks are set on copies of the registers (states share
their ``Reg`` objects), and only in checkpoints: the kernel never marks the current state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyebpf import isa
from pyebpf.verifier import log as vlog
from pyebpf.verifier import scalar as sc

if TYPE_CHECKING:
    from pyebpf.verifier.check import Checker, State

_SPILL = "r"
_ARGS = 0b111110  # r1-r5
NOTSUPP = -1  # backtrack_insn's -ENOTSUPP: give up, mark every scalar precise
STACK_ACCESS = 1 << 20  # history flag: a spill/fill of stack slot (frame * 64 + spi)
MAX_BACKEDGE_ITERS = 64
LINKED_REGS_MAX = 6


class Backtrack:
    """The kernel's backtrack_state: per frame, the registers and stack slots that
    still need precision, and the frame being walked."""

    __slots__ = ("frame", "regs", "stack")

    def __init__(self, frame: int) -> None:
        self.frame = frame
        self.regs = [0] * 8
        self.stack = [0] * 8

    def empty(self) -> bool:
        return not any(self.regs[: self.frame + 1]) and not any(self.stack[: self.frame + 1])

    def reset(self) -> None:
        self.regs = [0] * 8
        self.stack = [0] * 8


def memo_key(i: int, cnt: int, bt: Backtrack) -> tuple:
    """A point of a walk: (instruction, history entries left, frame, what is tracked);
    the short form when only registers of the walked frame are (Checker.precise's
    fast walk makes the same keys)."""
    fr = bt.frame
    if not any(bt.stack) and not any(bt.regs[:fr]) and not any(bt.regs[fr + 1:]):
        return short_key(i, cnt, fr, bt.regs[fr])
    return (i, cnt, fr, tuple(bt.regs), tuple(bt.stack))


def short_key(i: int, cnt: int, frame: int, mask: int) -> int:
    """memo_key's short form as one int: instruction (20 bits), frame (3), registers (11),
    history entries left above them."""
    return (((cnt << 20 | i) << 3 | frame) << 11) | mask


def fmt_regs(mask: int) -> str:
    return ",".join(f"r{i}" for i in range(32) if (mask >> i) & 1)


def fmt_stack(mask: int) -> str:
    return ",".join(str(-(i + 1) * 8) for i in range(64) if (mask >> i) & 1)


def _is_spilled_scalar(slot: list | None) -> bool:
    return slot is not None and slot[0][7] == _SPILL and slot[1] is not None and \
        slot[1].t == sc.SCALAR


def _precise_copy(r: sc.Reg) -> sc.Reg:
    c = r.copy()
    c.precise = True
    return c


def _calls_callback(ck: Checker, insn: isa.Instruction) -> bool:
    return insn.code == 0x85 and insn.src == 0 and insn.pc in ck.cb_sites


def _sync_linked(bt: Backtrack, hist: tuple | None) -> None:
    """bt_sync_linked_regs: registers that gained range together at a jump need
    precision together."""
    if hist is None or not hist[3]:
        return
    linked = hist[3]
    some = False
    for fr, is_reg, n in linked:
        if (bt.regs[fr] if is_reg else bt.stack[fr]) >> n & 1:
            some = True
            break
    if not some:
        return
    for fr, is_reg, n in linked:
        if is_reg:
            bt.regs[fr] |= 1 << n
        else:
            bt.stack[fr] |= 1 << n


def backtrack_insn(ck: Checker, idx: int, subseq: int, hist: tuple | None,
                   bt: Backtrack) -> int:
    """One instruction backwards: which registers/slots needed before it (0, or NOTSUPP)."""
    insn = ck.p.slots[idx]
    if insn is None:  # the second slot of an LD_IMM64
        return 0
    fr = bt.frame
    if ck.log_level >= 2:
        ck.out(f"mark_precise: frame{fr}: regs={fmt_regs(bt.regs[fr])} "
               f"stack={fmt_stack(bt.stack[fr])} before {idx}: {vlog.format_insn(insn)}")
    _sync_linked(bt, hist)
    code = insn.code
    cls = code & 7
    op = code & 0xF0
    x = code & isa.BPF_X
    dbit = 1 << insn.dst
    sbit = 1 << insn.src
    regs = bt.regs
    if cls in (isa.BPF_ALU, isa.BPF_ALU64):
        if not regs[fr] & dbit:
            return 0
        if op in (0xD0, 0x80):  # END, NEG: dst needs precision before as after
            return 0
        if op == 0xB0:  # MOV
            regs[fr] &= ~dbit
            if x:
                regs[fr] |= sbit
        elif x:
            regs[fr] |= sbit
    elif cls == isa.BPF_LDX:
        if not regs[fr] & dbit:
            return 0
        regs[fr] &= ~dbit
        if hist is None or not hist[2] & STACK_ACCESS:
            return 0
        where = hist[2] & (STACK_ACCESS - 1)
        bt.stack[where >> 6] |= 1 << (where & 63)
    elif cls == isa.BPF_STX and code & 0xE0 == isa.BPF_ATOMIC and \
            (insn.imm & 1 or insn.imm == 0x100):
        # an atomic fetch (or load-acquire) loads a register, as LDX does
        load = 0 if insn.imm == 0xF1 else (insn.dst if insn.imm == 0x100 else insn.src)
        if not regs[fr] >> load & 1:
            return 0
        regs[fr] &= ~(1 << load)
        if hist is None or not hist[2] & STACK_ACCESS:
            return 0
        where = hist[2] & (STACK_ACCESS - 1)
        bt.stack[where >> 6] |= 1 << (where & 63)
    elif cls in (isa.BPF_STX, isa.BPF_ST):
        if regs[fr] & dbit:
            return NOTSUPP  # a scalar used as a store address: pointer subtraction
        if hist is None or not hist[2] & STACK_ACCESS:
            return 0
        where = hist[2] & (STACK_ACCESS - 1)
        sfr, spi = where >> 6, where & 63
        if not bt.stack[sfr] >> spi & 1:
            return 0
        bt.stack[sfr] &= ~(1 << spi)
        if cls == isa.BPF_STX:
            regs[fr] |= sbit
    elif cls in (isa.BPF_JMP, isa.BPF_JMP32):
        if code == 0x85 and insn.src == isa.BPF_PSEUDO_CALL:
            # from the callee's first instruction back to the call: r1-r5 are the caller's
            if regs[fr] & ~_ARGS or bt.stack[fr] or fr == 0:
                return NOTSUPP
            for r in range(1, 6):
                if regs[fr] >> r & 1:
                    regs[fr] &= ~(1 << r)
                    regs[fr - 1] |= 1 << r
            bt.frame -= 1
            return 0
        if _calls_callback(ck, insn) and idx != subseq - 1:
            # from a callback's first instruction back to the helper that calls it
            if regs[fr] & ~_ARGS or bt.stack[fr] or fr == 0:
                return NOTSUPP
            regs[fr] &= ~_ARGS
            bt.frame -= 1
            return 0
        if op == 0x80:  # a helper call sets r0 and clobbers r1-r5
            regs[fr] &= ~1
            if regs[fr] & _ARGS:
                return NOTSUPP
        elif op == 0x90:  # exit: backwards, into the callee's frame
            # a callback returning to the helper that calls it again: the caller's r1-r5
            # are that helper's arguments; 6.18 keeps them in the caller's mask (they
            # reach the checkpoint before the call), where a subprogram's exit would
            # have found them set already
            to_cb = 0 <= subseq < len(ck.p.slots) and subseq in ck.cb_sites
            if (regs[fr] & _ARGS and not to_cb) or fr == 7:
                return NOTSUPP
            prev = ck.p.slots[subseq - 1] if subseq >= 1 else None
            r0 = (prev is not None and prev.code == 0x85 and prev.src == isa.BPF_PSEUDO_CALL
                  and regs[fr] & 1)
            regs[fr] &= ~1
            bt.frame += 1
            regs[fr + 1] = 1 if r0 else 0
            bt.stack[fr + 1] = 0
            return 0
        elif x:
            if not regs[fr] & (dbit | sbit):
                return 0
            regs[fr] |= dbit | sbit
    elif cls == isa.BPF_LD:
        if not regs[fr] & dbit:
            return 0
        regs[fr] &= ~dbit
        if code & 0xE0 in (isa.BPF_ABS, isa.BPF_IND):
            return NOTSUPP
    _sync_linked(bt, hist)
    return 0


def _prev_insn(st: State, i: int, cnt: list[int]) -> int:
    """get_prev_insn_idx: the instruction before ``i`` on this path (-1: none here)."""
    hist = st.hist
    n = cnt[0]
    if i == st.first_idx:
        if n == 0:
            return -1
        if n == 1 and hist[0][0] == i:
            return -1
    if n and hist[n - 1][0] == i:
        cnt[0] = n - 1
        return hist[n - 1][1]
    return i - 1


def mark_all_precise(ck: Checker, start: State) -> None:
    """The fallback when backtracking cannot follow a value: every scalar of every
    checkpoint up the chain becomes precise."""
    log2 = ck.log_level >= 2
    if log2:
        ck.out(f"mark_precise: frame{len(start.frames) - 1}: falling back to forcing all "
               "scalars precise")
    st = start.parent
    while st is not None:
        for i, f in enumerate(st.frames):
            for j in range(10):
                r = f.regs[j]
                if r.t != sc.SCALAR or r.precise:
                    continue
                f.regs[j] = _precise_copy(r)
                if log2:
                    ck.out(f"force_precise: frame{i}: forcing r{j} to be precise")
            for spi in sorted(f.stack):
                slot = f.stack[spi]
                if not _is_spilled_scalar(slot) or slot[1].precise:
                    continue
                slot[1] = _precise_copy(slot[1])
                if log2:
                    ck.out(f"force_precise: frame{i}: forcing fp{-(spi + 1) * 8} to be precise")
        st = st.parent


def mark_chain(ck: Checker, start: State, regno: int, bt: Backtrack | None = None) -> bool:
    """__mark_chain_precision: make ``regno`` of the current frame (and/or what ``bt``
    already holds) precise in every checkpoint its value flowed through.  True when a
    mark was added."""
    if not ck.priv:
        return False
    frame = len(start.frames) - 1
    if bt is None:
        bt = Backtrack(frame)
    bt.frame = frame
    if regno >= 0:
        if start.frames[frame].regs[regno].t != sc.SCALAR:
            return False
        bt.regs[frame] |= 1 << regno
    if bt.empty():
        return False
    log2 = ck.log_level >= 2
    changed = False
    st = start
    first = st.first_idx
    last = st.insn_idx
    subseq = -1
    skip_first = True
    n = len(ck.p.slots)
    # Walks of the current state already made: a walk that reaches a point of this
    # state's path (instruction, history left) with the same masks as an earlier walk
    # would do the same from there on, and the marks that did are already set, so it
    # stops there.  (Level 2 prints every step as the kernel does: no shortcut there.)
    memo = None
    if not log2:
        if ck.bt_memo_state is not start or ck.bt_memo_first != start.first_idx:
            ck.bt_memo_state = start
            ck.bt_memo_first = start.first_idx
            ck.bt_memo = set()
        memo = ck.bt_memo
    while True:
        cnt = [len(st.hist)]
        if log2:
            ck.out(f"mark_precise: frame{bt.frame}: last_idx {last} first_idx {first} "
                   f"subseq_idx {subseq} ")
        if last < 0:
            mark_all_precise(ck, start)
            return True
        i = last
        while True:
            if skip_first:
                skip_first = False
            else:
                if memo is not None:
                    key = memo_key(i, cnt[0], bt)
                    if key in memo:
                        return changed
                    memo.add(key)
                h = None
                if cnt[0] and st.hist[cnt[0] - 1][0] == i:
                    h = st.hist[cnt[0] - 1]
                if backtrack_insn(ck, i, subseq, h, bt) == NOTSUPP:
                    mark_all_precise(ck, start)
                    return True
            if bt.empty():
                return changed
            subseq = i
            i = _prev_insn(st, i, cnt)
            if i < 0:
                break
            if i >= n:
                mark_all_precise(ck, start)
                return True
        st = st.parent
        memo = None
        if st is None:
            break
        for fr in range(bt.frame, -1, -1):
            if fr >= len(st.frames):
                continue
            f = st.frames[fr]
            m = bt.regs[fr]
            for r in range(11):
                if not m >> r & 1:
                    continue
                reg = f.regs[r]
                if reg.t != sc.SCALAR or reg.precise:
                    bt.regs[fr] &= ~(1 << r)
                else:
                    f.regs[r] = _precise_copy(reg)
                    changed = True
            m = bt.stack[fr]
            for spi in range(64):
                if not m >> spi & 1:
                    continue
                slot = f.stack.get(spi)
                if not _is_spilled_scalar(slot) or slot[1].precise:
                    bt.stack[fr] &= ~(1 << spi)
                else:
                    slot[1] = _precise_copy(slot[1])
                    changed = True
            if log2:
                ck.out(f"mark_precise: frame{fr}: parent state regs={fmt_regs(bt.regs[fr])} "
                       f"stack={fmt_stack(bt.stack[fr])}:  {ck.state_str(st, fi=fr)}")
        if bt.empty():
            return changed
        subseq = first
        last = st.last_idx
        first = st.first_idx
    if not bt.empty():
        mark_all_precise(ck, start)
        return True
    return changed


def propagate(ck: Checker, old: State, cur: State) -> bool:
    """propagate_precision: ``cur`` was pruned against ``old``; what ``old`` needed
    precise, ``cur``'s path needs precise too."""
    if not ck.priv:
        return False
    bt = Backtrack(len(cur.frames) - 1)
    log2 = ck.log_level >= 2
    for fr in range(len(old.frames) - 1, -1, -1):
        f = old.frames[fr]
        names = []
        for i in range(10):
            r = f.regs[i]
            if r.t == sc.SCALAR and r.precise:
                names.append(f"r{i}")
                bt.regs[fr] |= 1 << i
        for spi in sorted(f.stack):
            slot = f.stack[spi]
            if slot[0][7] == _SPILL and slot[1] is not None and slot[1].t == sc.SCALAR \
                    and slot[1].precise:
                names.append(f"fp{-(spi + 1) * 8}")
                bt.stack[fr] |= 1 << spi
        if names and log2:
            ck.out(f"frame {fr}: propagating " + ",".join(names))
    return mark_chain(ck, cur, -1, bt)


# --- loops (strongly connected components) ---------------------------------------------

def callchain(ck: Checker, st: State) -> tuple | None:
    """compute_scc_callchain: the call sites down to the first frame that is inside a
    loop, and that loop's number; None when no frame is."""
    scc = ck.scc
    sites: list[int] = []
    nfr = len(st.frames)
    for i in range(nfr):
        pc = st.insn_idx if i == nfr - 1 else st.frames[i + 1].callsite
        if scc[pc]:
            return (*sites, scc[pc])
        sites.append(pc)
    return None


def fmt_chain(chain: tuple) -> str:
    return "(" + "".join(f"{c}," for c in chain[:-1]) + f"{chain[-1]})"


def enter_scc(ck: Checker, cp: State) -> None:
    """maybe_enter_scc: a checkpoint inside a loop starts that loop's visit."""
    chain = callchain(ck, cp)
    if chain is None:
        return
    visit = ck.scc_visits.get(chain)
    if visit is None:
        visit = ck.scc_visits[chain] = [None, []]
    if visit[0] is None:
        visit[0] = cp
        if ck.log_level >= 2:
            ck.out(f"SCC enter {fmt_chain(chain)}")


def exit_scc(ck: Checker, st: State) -> None:
    """maybe_exit_scc: every path from the checkpoint that entered a loop is explored;
    the precision marks the loop's back-edges need are propagated to a fixed point."""
    chain = callchain(ck, st)
    if chain is None:
        return
    visit = ck.scc_visits.get(chain)
    if visit is None or visit[0] is not st:
        return
    if ck.log_level >= 2:
        ck.out(f"SCC exit {fmt_chain(chain)}")
    visit[0] = None
    edges = visit[1]
    visit[1] = []
    ck.num_backedges -= len(edges)
    for _ in range(MAX_BACKEDGE_ITERS + 1):
        changed = False
        for be, old in reversed(edges):  # the kernel's list: the newest back-edge first
            if propagate(ck, old, be):
                changed = True
        if not changed:
            return
    if ck.log_level >= 2:
        ck.out("propagate_backedges: too many iterations")
    for be, _old in edges:
        mark_all_precise(ck, be)


def has_backedges(ck: Checker, st: State) -> bool:
    """incomplete_read_marks: ``st`` is in a loop whose visit has back-edges pending, so
    its precision marks are not final."""
    if not ck.scc_visits:
        return False
    chain = callchain(ck, st)
    if chain is None:
        return False
    visit = ck.scc_visits.get(chain)
    return visit is not None and bool(visit[1])


def in_open_scc(ck: Checker, st: State) -> bool:
    """``st`` is in a loop whose visit is not over (its entry state still has paths)."""
    chain = callchain(ck, st)
    if chain is None:
        return False
    visit = ck.scc_visits.get(chain)
    return visit is not None and visit[0] is not None


def add_backedge(ck: Checker, old: State, cur: State) -> None:
    """add_scc_backedge: remember ``cur`` (pruned against ``old``, in a loop still being
    explored) to propagate precision along it when the loop's visit ends."""
    chain = callchain(ck, old)
    if chain is None:
        return
    visit = ck.scc_visits.get(chain)
    if visit is None:
        return
    visit[1].append((cur.copy(), old))
    if ck.log_level >= 2:
        ck.out(f"SCC backedge {fmt_chain(chain)}")
    # update_peak_states: the back-edge copies count until the loop's visit ends
    ck.num_backedges += 1
    ck.peak_states = max(ck.peak_states, ck.cur_states + ck.num_backedges)


_ADD_CONST = 3 << 30  # check.ADD_CONST: the linked-with-delta flags of a scalar's id


def collect_linked(ck: Checker, st: State, ids: list[int]) -> tuple:
    """collect_linked_regs: every live scalar register and spilled scalar (all frames)
    that shares one of ``ids`` (they gain range together at a conditional jump)."""
    out: list[tuple[int, int, int]] = []
    nfr = len(st.frames)
    for rid in ids:
        for fr in range(nfr - 1, -1, -1):
            f = st.frames[fr]
            live = ck.live[ck.pc_now if fr == nfr - 1 else st.frames[fr + 1].callsite]
            for i in range(10):
                r = f.regs[i]
                if r.t == sc.SCALAR and r.id & ~_ADD_CONST == rid and (live >> i) & 1 and \
                        len(out) < LINKED_REGS_MAX:
                    out.append((fr, 1, i))
            for spi in sorted(f.stack):
                slot = f.stack[spi]
                if _is_spilled_scalar(slot) and slot[1].id & ~_ADD_CONST == rid and \
                        len(out) < LINKED_REGS_MAX:
                    out.append((fr, 0, spi))
    return tuple(dict.fromkeys(out))
