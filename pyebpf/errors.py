"""Exceptions raised by pyebpf.

Every error that the kernel's ``bpf()`` would report carries the errno the
kernel would set (:class:`BPFError` is an :class:`OSError`), so code written for
the real syscall handles pyebpf's errors the same way.  Errors found in a
program name the instruction index (``pc``).
"""

from __future__ import annotations

import errno as _errno
import os


class BPFError(OSError):
    """An error with the errno the kernel's ``bpf()`` would return."""

    def __init__(self, err: int, message: str | None = None) -> None:
        super().__init__(err, message or os.strerror(err))


class LoadError(BPFError):
    """A program was refused at load: malformed, or not allowed (EINVAL by default)."""

    def __init__(self, message: str, pc: int | None = None, err: int = _errno.EINVAL) -> None:
        self.pc = pc
        self.reason = message
        super().__init__(err, message if pc is None else f"insn {pc}: {message}")


class VerifierError(LoadError):
    """The verifier rejected a program; ``log`` holds its whole log."""

    def __init__(self, message: str, log: str = "", pc: int | None = None,
                 err: int = _errno.EACCES) -> None:
        self.log = log
        super().__init__(message, pc=pc, err=err)

    def __str__(self) -> str:
        tail = "\n".join(self.log.rstrip("\n").splitlines()[-8:])
        return f"{super().__str__()}\n{tail}" if tail else super().__str__()


class ExecutionError(BPFError):
    """A running program was stopped by the runtime (it never touches host memory)."""

    def __init__(self, message: str, pc: int, err: int = _errno.EFAULT) -> None:
        self.pc = pc
        self.reason = message
        super().__init__(err, f"pc {pc}: {message}")


class MemoryAccessError(ExecutionError):
    """A load, store or atomic outside every memory region the program was given."""

    def __init__(self, message: str, pc: int, address: int, size: int) -> None:
        self.address = address
        self.size = size
        super().__init__(message, pc)


class BudgetExceededError(ExecutionError):
    """The program executed more instructions than its budget allowed."""

    def __init__(self, message: str, pc: int) -> None:
        super().__init__(message, pc, _errno.E2BIG)


class CallDepthError(ExecutionError):
    """A bpf-to-bpf call went deeper than the kernel's 8 frames."""


class HelperError(ExecutionError):
    """A call to a helper id with no implementation, or a helper that failed."""


class ProgramExit(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a Python helper to end the running program at once with ``r0``."""

    def __init__(self, r0: int = 0) -> None:
        super().__init__(r0)
        self.r0 = r0
