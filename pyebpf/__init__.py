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
