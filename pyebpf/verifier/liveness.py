# cython: annotation_typing=False
"""Stack slot liveness: which stack slots an instruction or its successors may still read.

Linux 6.18 replaced the verifier's per-state read marks with this analysis
(kernel/bpf/liveness.c); state pruning asks it which stack slots of a cached state
matter, and a slot that is not live is ignored when states are compared.  pyebpf
follows the same design so that it prunes where the kernel prunes and prints the
same level-2 log lines:

- Facts are kept per *function instance*: a call chain (the call instructions that
  lead to a subprogram, then the subprogram's first instruction) and, for every
  instruction of that subprogram and every frame of the chain, four slot masks (bit
  ``spi`` is the 8-byte slot at ``fp-8*(spi+1)``): ``may_read`` (the instruction may
  read the slot, a union over the paths seen), ``must_write`` (it always writes all 8
  bytes of the slot, an intersection over the paths seen), ``must_write_acc`` (the
  instruction or every path after it within the subprogram writes the slot) and
  ``live_before`` (the slot may be read at or after the instruction).
- While the verifier walks, reads are added to ``may_read`` as they happen and the
  whole-slot writes an instruction makes are gathered and committed after it.
- When a path ends (an exit or a pruned state) and when a subprogram returns, the
  instances of the current call chain that changed are brought to a fixed point
  (``live_before``, ``must_write_acc`` by backward data flow in the kernel's post-order
  of the subprogram); what a callee reads of its callers' frames and always writes
  there moves to the call instruction of the caller's instance.
- The log (level 2) shows each change of an instruction's ``live_before``
  (``+live``/``-live``) and ``must_write_acc`` (``+written``/``-written``) and the
  number of iterations, as the kernel prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

try:
    import cython
except ImportError:              # uncompiled, without Cython installed: its plain meaning
    from pyebpf import _cython_shim as cython

from pyebpf.verifier import cfg
from pyebpf.verifier import scalar as sc
from pyebpf.verifier.scalar import Reg

if TYPE_CHECKING:  # pragma: no cover
    from pyebpf.verifier.check import State

_ALL = (1 << 64) - 1


def fmt_stack_mask(mask: int) -> str:
    """Slots of ``mask`` as the kernel's bpf_fmt_stack_mask writes them: ``-8,-24``."""
    out = []
    spi = 0
    while mask:
        if mask & 1:
            out.append(str(-(spi + 1) * 8))
        mask >>= 1
        spi += 1
    return ",".join(out)


def postorder(prog: cfg.Program, start: int) -> list[int]:
    """The instructions of the subprogram at ``start`` in the kernel's post-order
    (compute_postorder: depth first, a jump's target explored before its fall-through);
    the fixed-point iteration visits them in this order, which fixes the log's."""
    state: dict[int, int] = {}  # 1: discovered, 2: explored
    stack = [start]
    order: list[int] = []
    while stack:
        top = stack[-1]
        if state.get(top, 0) & 2:
            order.append(top)
            stack.pop()
            continue
        state[top] = 3
        for s in cfg.successors(prog, top):
            if s not in state:
                stack.append(s)
                state[s] = 1
    return order


@cython.final
@cython.cclass
class Masks:
    """The four slot masks of one frame for every instruction of an instance."""

    def __init__(self, n: int) -> None:
        self.may_read = [0] * n
        self.must_write = [0] * n
        self.must_write_acc = [0] * n
        self.live_before = [0] * n


@cython.final
@cython.cclass
class Instance:
    """One call chain's facts (the kernel's func_instance)."""

    def __init__(self, callsites: tuple[int, ...], start: int, n: int) -> None:
        # the call instructions leading here, then this subprogram's first instruction
        self.callsites = callsites
        self.curframe = len(callsites) - 1
        self.start = start
        self.n = n
        self.frames: list[Masks | None] = [None] * len(callsites)
        # per instruction: 0 its must_write was never committed (the next commit sets it),
        # 1 committed and empty in every frame, 2 committed and not empty (later commits
        # intersect); 1 is commit's fast path, taken at most instructions
        self.must_write_set = [0] * n
        self.updated = False
        self.must_write_dropped = False

    def masks(self, frame: int) -> Masks:
        m = self.frames[frame]
        if m is None:
            m = self.frames[frame] = Masks(self.n)
        return m

    def label(self) -> str:
        return "(" + ",".join(str(c) for c in self.callsites) + ")"


@cython.final
@cython.cclass
class Liveness:
    """The analysis for one verification (the kernel's env->liveness).

    ``out`` writes one log line (None: no level-2 log).  The checker calls
    :meth:`mark_read` and :meth:`mark_write` where the kernel calls
    bpf_mark_stack_read/write, :meth:`commit` after each instruction it executes,
    :meth:`reset_callchain` when it enters a subprogram, :meth:`update` at every
    exit and pruned path, and :meth:`clean` on a cached state before comparing it.
    """

    def __init__(self, prog: cfg.Program, out: Callable[[str], None] | None,
                 calls_callback: set[int]) -> None:
        self.p = prog
        self.out = out
        self.calls_callback = calls_callback
        self.instances: dict[tuple[int, ...], Instance] = {}
        self.cur: Instance | None = None
        self.pc = 0  # the instruction being checked (its reads are marked at it)
        self.write_acc = [0] * 8
        self.any_write = False
        self._ends = [*prog.subprogs[1:], prog.n]
        self._postorder: dict[int, list[int]] = {}

    # --- instances -------------------------------------------------------------------
    def _subprog_start(self, st: State, frameno: int) -> int:
        return self.p.subprogs[st.frames[frameno].subprog]

    def lookup(self, st: State, frameno: int) -> Instance:
        """The instance of ``st``'s call chain up to frame ``frameno``."""
        chain = (*(st.frames[i + 1].callsite for i in range(frameno)),
                 self._subprog_start(st, frameno))
        return self._instance(chain)

    def _instance(self, chain: tuple[int, ...]) -> Instance:
        inst = self.instances.get(chain)
        if inst is None:
            start = chain[-1]
            k = self.p.subprogs.index(start)
            inst = Instance(chain, start, self._ends[k] - start)
            self.instances[chain] = inst
        return inst

    def ensure(self, st: State) -> Instance:
        inst = self.cur
        if inst is None:
            inst = self.cur = self.lookup(st, len(st.frames) - 1)
        return inst

    def reset_callchain(self) -> None:
        """The current call chain changed (a subprogram was entered)."""
        self.cur = None

    # --- marks -----------------------------------------------------------------------
    def mark_read(self, st: State, frame: int, pc: int, mask: int) -> None:
        """Instruction ``pc`` may read the slots ``mask`` of frame ``frame``."""
        _read(self.ensure(st), frame, pc, mask)

    def mark_write(self, frame: int, mask: int) -> None:
        """The current instruction writes every byte of the slots ``mask``."""
        self.write_acc[frame] |= mask
        self.any_write = True

    @cython.locals(inst=Instance, i=cython.longlong, seen=cython.int)
    def commit(self, st: State, pc: int) -> None:
        """The instruction at ``pc`` is done: its whole-slot writes become its must_write
        (intersected with what earlier visits of it wrote)."""
        inst = self.cur
        if inst is None:  # a call or a subprogram exit changed the call chain
            if self.any_write:
                self.write_acc = [0] * 8
                self.any_write = False
            return
        i = pc - inst.start
        if not self.any_write:
            seen = inst.must_write_set[i]
            if seen == 1:
                return
            if seen == 0:
                inst.must_write_set[i] = 1
                return
        self._commit(inst, i)

    def _commit(self, inst: Instance, i: int) -> None:
        acc = self.write_acc
        seen = inst.must_write_set[i]
        nonzero = False
        for frame in range(inst.curframe + 1):
            mask = acc[frame]
            if mask == 0 and not seen:
                continue
            m = inst.masks(frame)
            old = m.must_write[i]
            if seen:
                mask &= old
            if old != mask:
                m.must_write[i] = mask
                inst.updated = True
            if old & ~mask:
                inst.must_write_dropped = True
            nonzero = nonzero or mask != 0
        inst.must_write_set[i] = 2 if nonzero else 1
        self.write_acc = [0] * 8
        self.any_write = False

    # --- propagation -------------------------------------------------------------------
    def update(self, st: State) -> None:
        """bpf_update_live_stack: bring every changed instance of ``st``'s call chain
        to its fixed point, innermost first (a callee's facts reach its caller)."""
        self.cur = None
        for frameno in range(len(st.frames) - 1, -1, -1):
            inst = self.lookup(st, frameno)
            if inst.updated:
                self._update_instance(inst)
                inst.updated = False
                inst.must_write_dropped = False

    def _update_instance(self, inst: Instance) -> None:
        if inst.must_write_dropped:
            for m in inst.frames:
                if m is not None:
                    m.must_write_acc = [0] * inst.n
        order = self._postorder.get(inst.start)
        if order is None:
            order = self._postorder[inst.start] = postorder(self.p, inst.start)
        prune = self.p.prune
        slots = self.p.slots
        out = self.out
        label = inst.label()
        start = inst.start
        iterations = 0
        changed = True
        while changed:
            iterations += 1
            changed = False
            for frame, m in enumerate(inst.frames):
                if m is None:
                    continue
                may_read, must_write = m.may_read, m.must_write
                acc, live = m.must_write_acc, m.live_before
                for pc in order:
                    succ = cfg.successors(self.p, pc) if slots[pc] is not None else []
                    if not succ:
                        continue
                    i = pc - start
                    after = 0
                    wacc = _ALL
                    for s in succ:
                        after |= live[s - start]
                        wacc &= acc[s - start]
                    if slots[pc].code & 0xE7 in (0x20, 0x40):
                        wacc = 0  # LD_ABS/LD_IND may end the program: nothing must follow
                    wacc |= must_write[i]
                    before = (after & ~must_write[i]) | may_read[i]
                    if before != live[i] or wacc != acc[i]:
                        changed = True
                        if out is not None and (may_read[i] or must_write[i] or pc == start
                                                or pc in prune):
                            _log_change(out, label, "live", frame, pc, live[i], before)
                            _log_change(out, label, "written", frame, pc, acc[i], wacc)
                    live[i] = before
                    acc[i] = wacc
        if out is not None:
            out(f"{label} live stack update done in {iterations} iterations")
        if inst.curframe > 0:
            self._to_caller(inst)

    def _to_caller(self, inst: Instance) -> None:
        """What the subprogram reads of its callers' frames before writing them, and
        what it always writes there, become the call instruction's marks."""
        chain = inst.callsites
        outer = self._instance((*chain[:-2], self._outer_start(chain)))
        callsite = chain[-2]
        writes = [0] * 8
        for frame in range(inst.curframe):
            m = inst.frames[frame]
            if m is None:
                continue
            writes[frame] |= m.must_write_acc[0]
            _read(outer, frame, callsite, m.live_before[0])
        saved, saved_any = self.write_acc, self.any_write
        self.write_acc, self.any_write = writes, True
        self._commit(outer, callsite - outer.start)
        self.write_acc, self.any_write = saved, saved_any

    def _outer_start(self, chain: tuple[int, ...]) -> int:
        """The first instruction of the subprogram holding call instruction chain[-2]."""
        return self.p.subprogs[self.p.subprog_of(chain[-2])]

    # --- queries -----------------------------------------------------------------------
    def clean(self, st: State, pc: int, live_regs: list[int]) -> None:
        """clean_verifier_state: forget what cached state ``st`` at ``pc`` holds that no
        path from it can read (dead stack slots, dead registers r0..r9 of each frame), so
        that later comparisons ignore them.  Done once per state, as the kernel does."""
        st.cleaned = True
        alive = self.alive(st, pc)
        last = len(st.frames) - 1
        for fi, f in enumerate(st.frames):
            mask = alive[fi]
            for spi in [s for s in f.stack if not (mask >> s) & 1]:
                del f.stack[spi]
            lr = live_regs[pc if fi == last else st.frames[fi + 1].callsite]
            regs = f.regs
            for r in range(10):
                if not (lr >> r) & 1 and regs[r].t != sc.NOT_INIT:
                    regs[r] = Reg()

    def alive(self, st: State, pc: int) -> list[int]:
        """For each frame of cached state ``st`` at ``pc``, the mask of its stack slots
        that may still be read (bpf_stack_slot_alive over all slots)."""
        cur = len(st.frames) - 1
        insts = [self.lookup(st, f) for f in range(cur + 1)]
        inner = insts[cur]
        res = []
        for frameno in range(cur + 1):
            mask = _live_at(inner, pc, frameno)
            for i in range(frameno, cur):
                callsite = inner.callsites[i]
                at = callsite if callsite in self.calls_callback else callsite + 1
                mask |= _live_at(insts[i], at, frameno)
            res.append(mask)
        return res


def _read(inst: Instance, frame: int, pc: int, mask: int) -> None:
    """Accumulate may_read: the instance needs an update only if the slots are new to
    the instruction's live_before."""
    m = inst.masks(frame)
    i = pc - inst.start
    old = m.may_read[i]
    new = old | mask
    if new != old:
        if (new | m.live_before[i]) != m.live_before[i]:
            inst.updated = True
        m.may_read[i] = new


def _live_at(inst: Instance, pc: int, frame: int) -> int:
    m = inst.frames[frame] if frame < len(inst.frames) else None
    if m is None:
        return 0
    i = pc - inst.start
    if not 0 <= i < inst.n:
        return 0
    return m.live_before[i]


def _log_change(out: Callable[[str], None], label: str, what: str, frame: int, pc: int,
                old: int, new: int) -> None:
    changed = old ^ new
    if not changed:
        return
    line = f"{label} frame {frame} insn {pc} "
    ones = new & changed
    zeros = ~new & changed
    if ones:
        line += f"+{what} {fmt_stack_mask(ones)} "
    if zeros:
        line += f"-{what} {fmt_stack_mask(zeros)}"
    out(line)
