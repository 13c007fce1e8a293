"""pyebpf: a userspace eBPF runtime with the kernel's semantics."""

from pyebpf.errors import (
    BPFError,
    BudgetExceededError,
    CallDepthError,
    ExecutionError,
    HelperError,
    LoadError,
    MemoryAccessError,
    ProgramExit,
    VerifierError,
)
from pyebpf.isa import Instruction, decode, encode

__version__ = "0.1.0"         # the distribution's (pyproject.toml), checked by a test

_COMPILED = ("_core", "_maps")   # what has no pure-Python fallback (the interpreter, the maps)


def _use_installed_compiled_modules() -> None:
    """Run from a source checkout that has not been built (``import pyebpf`` from the
    repository root finds the source tree before an installed copy), take the
    compiled modules from the installed copy, and say clearly what to do when there
    is none.  The pure-Python modules are the checkout's own."""
    import importlib.abc
    import importlib.machinery
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)

    def has_compiled(d: str) -> bool:
        try:
            return all(any(f == m + sfx for f in os.listdir(d) for sfx in suffixes)
                       for m in _COMPILED)
        except OSError:
            return False

    if has_compiled(here):
        return
    for entry in sys.path:
        cand = os.path.join(os.path.abspath(entry or os.getcwd()), "pyebpf")
        if os.path.realpath(cand) != os.path.realpath(here) and has_compiled(cand):
            __path__.append(cand)        # type: ignore[name-defined]
            return

    class _Explain(importlib.abc.MetaPathFinder):
        """Consulted last: a compiled module no finder found gets a clear error."""

        def find_spec(self, name: str, path: object = None, target: object = None) -> None:
            if name.startswith("pyebpf.") and name.split(".", 1)[1] in _COMPILED:
                raise ModuleNotFoundError(
                    f"{name} is not built: {here} is a source tree without its compiled "
                    "modules and no installed pyebpf has them. Build them in place "
                    "(python setup.py build_ext --inplace, needs Cython and a C "
                    "compiler), or pip install . and run from another directory.",
                    name=name)
            return None

    sys.meta_path.append(_Explain())


_use_installed_compiled_modules()

# Public names and the module that defines each.  They are imported on first
# use, so that the pure-Python modules (isa, the code generator) work before
# the compiled extensions are built, and `import pyebpf` stays cheap.
_LAZY = {
    "VM": "pyebpf._core", "Executable": "pyebpf._core", "address_of": "pyebpf._core",
    "bpf": "pyebpf.syscall", "Runtime": "pyebpf.runtime", "default_runtime": "pyebpf.runtime",
    "Map": "pyebpf.objects", "Program": "pyebpf.objects", "RunResult": "pyebpf.objects",
    "register_helper": "pyebpf.helpers", "load_elf": "pyebpf.elf",
    "assemble": "pyebpf.asm", "disassemble": "pyebpf.asm",
    "tracepoint": "pyebpf.probes", "attach_uprobe": "pyebpf.links", "Link": "pyebpf.links",
    "RingBuffer": "pyebpf.events", "PerfBuffer": "pyebpf.events",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pyebpf' has no attribute {name!r}")


__all__ = [
    "VM",
    "BPFError",
    "BudgetExceededError",
    "CallDepthError",
    "Executable",
    "ExecutionError",
    "HelperError",
    "Instruction",
    "Link",
    "LoadError",
    "Map",
    "MemoryAccessError",
    "PerfBuffer",
    "Program",
    "ProgramExit",
    "RingBuffer",
    "RunResult",
    "Runtime",
    "VerifierError",
    "address_of",
    "assemble",
    "attach_uprobe",
    "bpf",
    "decode",
    "default_runtime",
    "disassemble",
    "encode",
    "load_elf",
    "register_helper",
    "tracepoint",
]
