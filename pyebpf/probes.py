"""Attach points inside a Python process: Python functions as uprobes, and tracepoints.

**Python functions as uprobes/uretprobes.**  A ``BPF_PROG_TYPE_KPROBE`` program
attached to ``module:qualname`` runs on every call of that function (uprobe) or on
every return from it (uretprobe).  It sees a ``struct pt_regs`` laid out as on
x86-64: the call's positional arguments in ``di, si, dx, cx, r8, r9`` (the System V
argument registers), and on return the return value in ``ax``.  Values become
registers as a C function would receive them: ints as u64 (two's complement),
``bool`` and ``None`` as 1/0, floats as their IEEE-754 bits, and ``bytes``,
``bytearray`` and ``str`` (UTF-8, NUL-terminated) as pointers to memory the program
may read with ``bpf_probe_read_user``/``_str`` during that run; any other object is
passed as its ``id()`` (an address the program cannot read).

How a function is hooked, and why it costs nothing when nothing is attached: on
3.12+ ``sys.monitoring`` turns on PY_START/PY_RETURN events for that one code object;
on 3.11 the function's ``__code__`` is swapped for a trampoline with the same free
variables that calls the original through a clone of the function.  Either way the
function is untouched again once its last program is detached.  A target that does
not exist yet (a function ``__main__`` defines later) can wait: ``pending=True``
watches calls with ``sys.setprofile`` until its code object first runs, then hooks it.

**Tracepoints declared by applications** (the USDT analogue)::

    request = pyebpf.tracepoint("app:request", "user_id", "size")
    ...
    if request.enabled:            # a slot read: ~5 ns when nothing is attached
        request(user_id, size)

``RAW_TRACEPOINT`` programs (``SEC("raw_tp/app:request")``) see the arguments as an
array of u64; ``TRACEPOINT`` programs (``SEC("tp/app/request")``) see a trace record:
the 8-byte common header (``common_type``, ``common_flags``,
``common_preempt_count``, ``common_pid``) followed by one u64 per argument.
"""

from __future__ import annotations

import errno
import importlib
import os
import struct
import sys
import threading
import types
import warnings
from collections.abc import Callable
from typing import Any

from pyebpf._core import address_of
from pyebpf.errors import BPFError
from pyebpf.progtypes import RunState

U64 = (1 << 64) - 1
PT_REGS_SIZE = 168                  # struct pt_regs on x86-64: 21 u64
# byte offsets in struct pt_regs (x86-64): r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si
# di orig_ax ip cs flags sp ss
ARG_OFFSETS = (112, 104, 96, 88, 72, 64)          # di, si, dx, cx, r8, r9
AX_OFFSET, IP_OFFSET, SP_OFFSET = 80, 128, 152
MAX_ARGS = 6
MAX_TP_ARGS = 12                    # a raw tracepoint's u64 args (bpf_trace_run12)
TRACE_HEADER = struct.Struct("<HBBi")   # struct trace_entry
# a whole struct pt_regs: zeros but r9, r8, ax, cx, dx, si, di (offsets 64..119) and ip (128)
_REGS = struct.Struct("<64x7Q8xQ32x")
_ZEROS = [0] * 6
# pt_regs with the first n argument registers (di, si, dx, cx, r8, r9: packed last to
# first, as they lie in memory) and ip
_BY_ARITY = [struct.Struct(f) for f in (
    "<128xQ32x", "<112xQ8xQ32x", "<104x2Q8xQ32x", "<96x3Q8xQ32x", "<88x4Q8xQ32x",
    "<72xQ8x4Q8xQ32x", "<64x2Q8x4Q8xQ32x")]
assert all(st.size == 168 for st in _BY_ARITY)
_U64 = struct.Struct("<Q")


def to_register(value: Any, keep: list) -> int:
    """``value`` as a u64 register; readable buffers are appended to ``keep`` (they
    become the run's memory regions, so the pointer is valid during that run only)."""
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if isinstance(value, int):
        return value & U64
    if isinstance(value, float):
        return struct.unpack("<Q", struct.pack("<d", value))[0]
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass") + b"\0"
    if isinstance(value, (bytes, bytearray, memoryview)):
        if len(value) == 0:
            return 0
        keep.append(value)
        return address_of(value)
    return id(value) & U64


def resolve(target: str) -> Any:
    """The callable ``module:qualname`` names (ENOENT if the module or any attribute on
    the way is missing, EINVAL if it is not a Python function)."""
    module, sep, qualname = target.partition(":")
    if not sep or not module or not qualname:
        raise BPFError(errno.EINVAL, f"probe target {target!r} is not 'module:qualname'")
    try:
        obj: Any = sys.modules.get(module) or importlib.import_module(module)
    except ImportError as e:
        raise BPFError(errno.ENOENT, f"no module {module!r}: {e}") from None
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise BPFError(errno.ENOENT, f"{target}: no attribute {part!r}") from None
    func = getattr(obj, "__func__", obj)            # methods, classmethods
    if not isinstance(func, types.FunctionType):
        raise BPFError(errno.EINVAL, f"{target} is not a Python function "
                       f"({type(obj).__name__})")
    return func


# --- running programs -------------------------------------------------------------------

class _Attached:
    """One program on one attach point, with a reusable run state."""

    __slots__ = ("cookie", "link", "prog", "state")

    def __init__(self, prog: Any, cookie: int = 0, link: Any = None) -> None:
        self.prog = prog
        prog.prepare()
        self.state = RunState(prog=prog)
        self.state.cookie = cookie          # bpf_get_attach_cookie
        self.cookie = cookie
        self.link = link


def _run_all(atts: Any, ctx: Any, keep: list, kind: str, name: str) -> None:
    """Run every attached program on ``ctx`` (the buffers in ``keep`` readable too)."""
    r1 = address_of(ctx)
    memory = (ctx, *keep)
    for att in atts:
        try:
            att.prog.execute(r1, att.state, memory=memory)
        except Exception as e:
            _report(e, f"{kind} {name}")


def _report(exc: BaseException, where: str) -> None:
    """A program that faults must not break the traced application: say so on stderr
    (as the kernel counts a failed program run and carries on)."""
    print(f"pyebpf: program on {where} failed: {exc}", file=sys.stderr)


# --- Python stacks (bpf_get_stack) ------------------------------------------------------------

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_TRAMPOLINES: dict[Any, Any] = {}       # trampoline code -> the probed (original) code
_CODE_BY_IP: dict[int, Any] = {}        # ips handed out by python_stack -> code objects


def python_stack(limit: int = 127, frame: Any = None) -> list[int]:
    """The calling thread's Python stack (or the one from ``frame`` out) as u64
    "instruction pointers" (a code object's id, as pt_regs.ip of a uprobe), innermost
    first, pyebpf's own frames left out (a probed function's trampoline frame counts as
    that function)."""
    out: list[int] = []
    if frame is None:
        frame = sys._getframe(1)
    while frame is not None and len(out) < limit:
        code = _TRAMPOLINES.get(frame.f_code, frame.f_code)
        if code is not frame.f_code or not code.co_filename.startswith(_PKG_DIR):
            ip = id(code) & U64
            _CODE_BY_IP[ip] = code
            out.append(ip)
        frame = frame.f_back
    return out


def symbolize(ip: int) -> str | None:
    """``file.py:qualname`` of a stack or pt_regs.ip value pyebpf handed out, else None."""
    code = _CODE_BY_IP.get(ip)
    if code is None:
        site = next((s for s in list(_SITES.values()) if s.ip == ip), None)
        code = site.code if site is not None else None
    if code is None:
        return None
    return f"{os.path.basename(code.co_filename)}:{getattr(code, 'co_qualname', code.co_name)}"


# --- Python functions ----------------------------------------------------------------------

_HOOK_CONST = "__pyebpf_probe_hook__"


def _trampoline_code(func: types.FunctionType, hook: Callable[[tuple, dict], Any]) -> Any:
    """A code object that calls ``hook(args, kwargs)``, with ``func``'s free variables
    (``__code__`` may only be replaced by code with as many) and its names."""
    code = func.__code__
    free = code.co_freevars
    lines = ["def _outer():"]
    lines += [f"    {v} = None" for v in free]
    lines.append("    def _tramp(*_pyebpf_a, **_pyebpf_k):")
    if free:
        lines.append(f"        ({', '.join(free)})")
    lines.append(f"        return {_HOOK_CONST!r}(_pyebpf_a, _pyebpf_k)")
    lines.append("    return _tramp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)     # "'str' object is not callable"
        outer = compile("\n".join(lines), code.co_filename, "exec")
    tramp = next(c for c in next(c for c in outer.co_consts if isinstance(c, types.CodeType)
                                 ).co_consts if isinstance(c, types.CodeType))
    consts = tuple(hook if c == _HOOK_CONST else c for c in tramp.co_consts)
    extra = {"co_qualname": code.co_qualname} if hasattr(code, "co_qualname") else {}
    return tramp.replace(co_consts=consts, co_name=code.co_name,
                         co_firstlineno=code.co_firstlineno, **extra)


class FunctionSite:
    """The attach point of one Python function: its entry and return programs."""

    def __init__(self, func: types.FunctionType, target: str) -> None:
        self.func = func
        self.target = target
        self.code = func.__code__
        self.entry: tuple[_Attached, ...] = ()
        self.ret: tuple[_Attached, ...] = ()
        self.ip = id(self.code) & U64       # pt_regs.ip: the code object, as an address
        self._argcount = self.code.co_argcount
        self._installed = False
        self._orig: types.FunctionType | None = None
        self._signature: Any = None

    # install / uninstall ---------------------------------------------------------------

    def _install(self) -> None:
        if self._installed:
            return
        if _MONITORING:
            _monitor.add(self)
        else:
            f = self.func
            orig = types.FunctionType(self.code, f.__globals__, f.__name__, f.__defaults__,
                                      f.__closure__)
            orig.__kwdefaults__ = f.__kwdefaults__
            orig.__dict__.update(f.__dict__)
            self._orig = orig
            tramp = _trampoline_code(f, self._call)
            _TRAMPOLINES[tramp] = self.code
            f.__code__ = tramp
        self._installed = True

    def _uninstall(self) -> None:
        if not self._installed:
            return
        if _MONITORING:
            _monitor.remove(self)
        else:
            _TRAMPOLINES.pop(self.func.__code__, None)
            self.func.__code__ = self.code
            self._orig = None
        self._installed = False

    def add(self, att: _Attached, retprobe: bool) -> None:
        if retprobe:
            self.ret += (att,)
        else:
            self.entry += (att,)
        self._install()

    def remove(self, att: _Attached) -> None:
        self.entry = tuple(a for a in self.entry if a is not att)
        self.ret = tuple(a for a in self.ret if a is not att)
        if not self.entry and not self.ret:
            self._uninstall()
            _SITES.pop(self.code, None)

    # firing ----------------------------------------------------------------------------

    def fire_entry(self, args: tuple) -> None:
        keep: list = []
        regs = None
        n = len(args)
        if n <= MAX_ARGS:
            try:                        # u64 ints only: one pack, arguments reversed
                regs = _BY_ARITY[n].pack(*args[::-1], self.ip)
            except struct.error:
                pass
        if regs is None:                # negative or big ints, pointers, floats, ids
            v = [to_register(a, keep) for a in args[:MAX_ARGS]]
            v += _ZEROS[len(v):]
            regs = _REGS.pack(v[5], v[4], 0, v[3], v[2], v[1], v[0], self.ip)
        _run_all(self.entry, regs, keep, "uprobe", self.target)

    def fire_return(self, value: Any) -> None:
        keep: list = []
        ax = value & U64 if type(value) is int else to_register(value, keep)
        regs = _REGS.pack(0, 0, ax, 0, 0, 0, 0, self.ip)
        _run_all(self.ret, regs, keep, "uretprobe", self.target)

    def _bind(self, args: tuple, kwargs: dict) -> tuple:
        """Positional arguments as the function's parameters receive them (keywords and
        defaults filled in), for the argument registers."""
        sig = self._signature
        if sig is None:
            import inspect

            clone = types.FunctionType(self.code, self.func.__globals__, None,
                                       self.func.__defaults__, self.func.__closure__)
            clone.__kwdefaults__ = self.func.__kwdefaults__
            sig = self._signature = inspect.signature(clone)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError:
            return args
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def _call(self, args: tuple, kwargs: dict) -> Any:
        """The trampoline's target (3.11): entry programs, the call, return programs."""
        orig = self._orig
        if orig is None:                    # detached while a call was on its way in
            return types.FunctionType(self.code, self.func.__globals__)(*args, **kwargs)
        if self.entry:
            if kwargs or len(args) < self._argcount:
                args_now = self._bind(args, kwargs)
            else:
                args_now = args
            self.fire_entry(args_now)
        result = orig(*args, **kwargs)
        if self.ret:
            self.fire_return(result)
        return result


_SITES: dict[Any, FunctionSite] = {}          # code object -> site
_sites_lock = threading.Lock()


def function_site(target: str | Callable[..., Any]) -> FunctionSite:
    """The attach point for ``target`` (a ``module:qualname`` string or a function)."""
    if isinstance(target, str):
        func = resolve(target)
        name = target
    else:
        func = getattr(target, "__func__", target)
        if not isinstance(func, types.FunctionType):
            raise BPFError(errno.EINVAL, f"{target!r} is not a Python function")
        name = f"{func.__module__}:{func.__qualname__}"
    with _sites_lock:
        code = func.__code__
        site = _SITES.get(code)
        if site is None:
            for s in _SITES.values():       # already hooked (3.11: code swapped)
                if s.func is func:
                    return s
            site = _SITES[code] = FunctionSite(func, name)
        return site


# --- 3.12+: sys.monitoring ------------------------------------------------------------------

_MONITORING = sys.version_info >= (3, 12) and hasattr(sys, "monitoring") and \
    not os.environ.get("PYEBPF_NO_MONITORING")


class _Monitor:
    """One sys.monitoring tool id for every probed code object (3.12+)."""

    def __init__(self) -> None:
        self.tool: int | None = None
        self.by_code: dict[Any, FunctionSite] = {}

    def _start_tool(self) -> None:
        mon = sys.monitoring           # type: ignore[attr-defined]
        for tool in (4, 3, 2, 1, 0):   # the free ids after the debugger/coverage/profiler ones
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "pyebpf")
                self.tool = tool
                break
        else:
            raise BPFError(errno.EBUSY, "no free sys.monitoring tool id")
        mon.register_callback(self.tool, mon.events.PY_START, self._on_start)
        mon.register_callback(self.tool, mon.events.PY_RETURN, self._on_return)

    def add(self, site: FunctionSite) -> None:
        if self.tool is None:
            self._start_tool()
        mon = sys.monitoring           # type: ignore[attr-defined]
        self.by_code[site.code] = site
        mon.set_local_events(self.tool, site.code, mon.events.PY_START | mon.events.PY_RETURN)

    def remove(self, site: FunctionSite) -> None:
        mon = sys.monitoring           # type: ignore[attr-defined]
        self.by_code.pop(site.code, None)
        mon.set_local_events(self.tool, site.code, 0)

    def _on_start(self, code: Any, offset: int) -> Any:
        site = self.by_code.get(code)
        if site is not None and site.entry:
            frame = sys._getframe(1)
            names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
            site.fire_entry(tuple(frame.f_locals.get(n) for n in names))
        return None

    def _on_return(self, code: Any, offset: int, value: Any) -> Any:
        site = self.by_code.get(code)
        if site is not None and site.ret:
            site.fire_return(value)
        return None


_monitor = _Monitor()


# --- targets that do not exist yet ----------------------------------------------------------

class _PendingWatcher:
    """Waits (with sys.setprofile) for pending targets' code to run, then hooks them.

    The first call of such a function is traced from the profiler's own call/return
    events (its arguments read from the frame); later calls go through the hook.
    The profiler is removed once nothing is pending or in flight.
    """

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], list[Callable[[types.FunctionType], None]]] = {}
        self.inflight: dict[int, FunctionSite] = {}     # id(frame) -> site (return due)
        self._prev: Any = None
        self._active = False

    def add(self, module: str, qualname: str,
            on_found: Callable[[types.FunctionType], None]) -> None:
        self.pending.setdefault((module, qualname), []).append(on_found)
        if not self._active:
            self._prev = sys.getprofile()
            threading.setprofile(self._profile)
            sys.setprofile(self._profile)
            self._active = True

    def _done(self) -> None:
        if self._active and not self.pending and not self.inflight:
            sys.setprofile(self._prev)
            threading.setprofile(self._prev)   # type: ignore[arg-type]
            self._active = False

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            key = (frame.f_globals.get("__name__", ""), getattr(code, "co_qualname",
                                                                 code.co_name))
            waiting = self.pending.pop(key, None)
            if waiting is not None:
                func = _function_of(code, frame.f_globals)
                if func is not None:
                    for cb in waiting:
                        cb(func)
                    site = _SITES.get(code)
                    if site is not None:
                        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
                        site.fire_entry(tuple(frame.f_locals.get(n) for n in names))
                        if site.ret:
                            self.inflight[id(frame)] = site
                self._done()
        elif event == "return" and self.inflight:
            site = self.inflight.pop(id(frame), None)
            if site is not None:
                site.fire_return(arg)
                self._done()

    def cancel(self, module: str, qualname: str,
               on_found: Callable[[types.FunctionType], None]) -> None:
        cbs = self.pending.get((module, qualname), [])
        if on_found in cbs:
            cbs.remove(on_found)
        if not cbs:
            self.pending.pop((module, qualname), None)
        self._done()


def _function_of(code: Any, globals_: dict) -> types.FunctionType | None:
    """The function object running ``code`` (found once, when a pending target starts)."""
    import gc

    for ref in gc.get_referrers(code):
        if isinstance(ref, types.FunctionType) and ref.__code__ is code:
            return ref
    return None


pending_watcher = _PendingWatcher()


# --- sampling (cpu-clock perf events) --------------------------------------------------------

PERF_EVENT_DATA_SIZE = 184          # struct bpf_perf_event_data: pt_regs, sample_period, addr


class Sampler:
    """Runs a PERF_EVENT program ``freq`` times a second on a thread's current state.

    The program runs in a sampler thread, as the sampled thread would see it: pid/tid
    are the sampled thread's, ``pt_regs.ip`` is its innermost Python frame and
    ``bpf_get_stack`` walks its stack (sys._current_frames).
    """

    def __init__(self, thread: threading.Thread, freq: int) -> None:
        self.thread = thread
        self.freq = freq
        self.samples = 0
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None

    def start(self, att: _Attached) -> None:
        self._stop.clear()
        self._worker = threading.Thread(target=self._loop, args=(att,), daemon=True,
                                        name=f"pyebpf-sampler-{self.freq}Hz")
        self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        w, self._worker = self._worker, None
        if w is not None and w is not threading.current_thread():
            w.join()

    def _loop(self, att: _Attached) -> None:
        from pyebpf import runtime as _rt

        _rt._tls.tid = self.thread.native_id or threading.get_native_id()
        period = 1.0 / self.freq
        period_ns = 1_000_000_000 // self.freq
        while not self._stop.wait(period):
            frame = sys._current_frames().get(self.thread.ident)  # type: ignore[arg-type]
            if frame is None:
                if not self.thread.is_alive():
                    return
                continue
            ctx = bytearray(PERF_EVENT_DATA_SIZE)
            stack = python_stack(1, frame)
            _U64.pack_into(ctx, IP_OFFSET, stack[0] if stack else 0)
            _U64.pack_into(ctx, PT_REGS_SIZE, period_ns)            # sample_period
            att.state.sample_frame = frame
            try:
                att.prog.execute(address_of(ctx), att.state, memory=(ctx,))
            except Exception as e:
                _report(e, "perf event (cpu-clock)")
            finally:
                att.state.sample_frame = None
            del frame
            self.samples += 1


# --- application tracepoints -----------------------------------------------------------------

class Tracepoint:
    """A static tracepoint an application declares (``pyebpf.tracepoint``).

    ``enabled`` is true while a program is attached: guard the call with it so an
    unattached tracepoint costs one attribute read.  Calling it runs every attached
    program with the arguments as u64s (at most 12, as a raw tracepoint's).
    """

    __slots__ = (
        "__weakref__",
        "_lock",
        "args",
        "category",
        "enabled",
        "event",
        "id",
        "name",
        "perf",
        "raw",
    )

    def __init__(self, name: str, args: tuple[str, ...], tp_id: int) -> None:
        self.name = name
        self.category, _, self.event = name.rpartition(":")
        self.args = args
        self.id = tp_id
        self.raw: list[_Attached] = []      # RAW_TRACEPOINT programs
        self.perf: list[_Attached] = []     # TRACEPOINT programs (through perf events)
        self.enabled = False
        self._lock = threading.Lock()

    def _update(self) -> None:
        self.enabled = bool(self.raw or self.perf)

    def add(self, att: _Attached, raw: bool) -> None:
        with self._lock:
            (self.raw if raw else self.perf).append(att)
            self._update()

    def remove(self, att: _Attached) -> None:
        with self._lock:
            for lst in (self.raw, self.perf):
                if att in lst:
                    lst.remove(att)
            self._update()

    def __call__(self, *args: Any) -> None:
        if not self.enabled:
            return
        if len(args) > MAX_TP_ARGS:
            raise TypeError(f"tracepoint {self.name} takes at most {MAX_TP_ARGS} arguments")
        keep: list = []
        vals = [to_register(a, keep) for a in args]
        if self.raw:
            ctx = bytearray(8 * max(len(vals), 1))
            struct.pack_into(f"<{len(vals)}Q", ctx, 0, *vals)
            _run_all(tuple(self.raw), ctx, keep, "raw tracepoint", self.name)
        if self.perf:
            rec = bytearray(TRACE_HEADER.size + 8 * len(vals))
            TRACE_HEADER.pack_into(rec, 0, self.id, 0, 0, os.getpid())
            struct.pack_into(f"<{len(vals)}Q", rec, TRACE_HEADER.size, *vals)
            _run_all(tuple(self.perf), rec, keep, "tracepoint", self.name)

    def __repr__(self) -> str:
        return f"<pyebpf tracepoint {self.name}({', '.join(self.args)})>"


_TRACEPOINTS: dict[str, Tracepoint] = {}
_tp_lock = threading.Lock()


def tracepoint(name: str, *args: str) -> Tracepoint:
    """Declare (or get) the application tracepoint ``category:name`` with named u64
    arguments; the same name always gives the same tracepoint."""
    if ":" not in name or not name.rpartition(":")[2] or not name.partition(":")[0]:
        raise ValueError(f"tracepoint name {name!r} is not 'category:name'")
    if len(args) > MAX_TP_ARGS:
        raise ValueError(f"at most {MAX_TP_ARGS} arguments")
    with _tp_lock:
        tp = _TRACEPOINTS.get(name)
        if tp is None:
            tp = _TRACEPOINTS[name] = Tracepoint(name, tuple(args), 1000 + len(_TRACEPOINTS))
        elif args and tp.args and tuple(args) != tp.args:
            raise ValueError(f"tracepoint {name} was declared with arguments {tp.args}")
        elif args and not tp.args:
            tp.args = tuple(args)
        return tp


def find_tracepoint(name: str) -> Tracepoint | None:
    """A declared tracepoint by ``category:name`` (raw tracepoint names) or
    ``category/name`` (tracefs-style, as SEC("tp/category/name") gives)."""
    tp = _TRACEPOINTS.get(name)
    if tp is None and "/" in name:
        cat, _, ev = name.rpartition("/")
        tp = _TRACEPOINTS.get(f"{cat}:{ev}")
    return tp


def tracepoints() -> list[Tracepoint]:
    return list(_TRACEPOINTS.values())


__all__ = ["ARG_OFFSETS", "AX_OFFSET", "PT_REGS_SIZE", "FunctionSite", "Sampler", "Tracepoint",
           "find_tracepoint", "function_site", "pending_watcher", "python_stack", "resolve",
           "symbolize", "to_register", "tracepoint", "tracepoints"]
