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

_COMPILED = {"VM", "Program", "address_of"}


def __getattr__(name: str) -> object:
    # The compiled core is imported on first use, so that the pure-Python
    # modules (isa, the code generator) work before the extension is built.
    if name in _COMPILED:
        from pyebpf import _core

        return getattr(_core, name)
    raise AttributeError(f"module 'pyebpf' has no attribute {name!r}")


__all__ = [
    "VM",
    "BPFError",
    "BudgetExceededError",
    "CallDepthError",
    "ExecutionError",
    "HelperError",
    "Instruction",
    "LoadError",
    "MemoryAccessError",
    "Program",
    "ProgramExit",
    "VerifierError",
    "address_of",
    "decode",
    "encode",
]
