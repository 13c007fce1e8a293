"""Subprogram structure on every path: each subprogram ends with an exit or a jump and
keeps its jumps inside itself (the kernel's check_subprogs), whether the program is loaded
through BPF_PROG_LOAD, run raw by the interpreter or given to the conformance plugin.

uBPF's ``tests/errors/err-call0.data`` and ``err-call-invalid-jump.data`` (MIT/Apache,
iovisor/ubpf) are the programs here, rewritten in this project's assembler syntax.
"""

from __future__ import annotations

import io

import pytest

from pyebpf import Executable, asm, conformance, isa
from pyebpf.errors import LoadError, VerifierError
from pyebpf.objects import Program
from pyebpf.runtime import Runtime
from pyebpf.uapi import BpfProgType

CASES = {
    # the main program's last instruction is the call into the subprogram after it
    "err-call0": ("mov %r0, 0x12345678\ncall local next\nnext:\nexit",
                  "last insn is not an exit or jmp"),
    # the subprogram jumps back into the main program
    "err-call-invalid-jump": ("begin:\nmov %r1, 0x12345678\ncall local next\nexit\nnext:\n"
                              "add %r1, 1\nja begin\nexit",
                              "jump out of range from insn 4 to 0"),
    "falls-off-the-end": ("mov %r0, 1\nja +0\nmov %r0, 2", "last insn is not an exit or jmp"),
}
GOOD = "mov %r0, 1\ncall local next\nexit\nnext:\nmov %r0, 7\nexit"


def _code(src: str) -> bytes:
    return isa.encode(asm.assemble(src))


@pytest.mark.parametrize("name", sorted(CASES))
def test_kernel_refuses_with_this_message(kernel, name):
    src, msg = CASES[name]
    with pytest.raises(VerifierError) as exc:
        kernel.KernelProgram(_code(src), BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, log_level=1)
    assert msg in exc.value.log.splitlines()


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_by_prog_load(name):
    src, msg = CASES[name]
    with pytest.raises(VerifierError) as exc:
        Program(_code(src), BpfProgType.BPF_PROG_TYPE_SOCKET_FILTER, runtime=Runtime(),
                log_level=1)
    assert msg in exc.value.log.splitlines()


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_by_the_interpreter(name):
    src, msg = CASES[name]
    with pytest.raises(LoadError, match=msg):
        Executable(_code(src))


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_by_the_conformance_plugin(name):
    src, msg = CASES[name]
    hexed = " ".join(f"{b:02x}" for b in _code(src)).encode()
    out = io.StringIO()
    assert conformance.plugin_main([], io.BytesIO(hexed), out) == 1
    assert msg in out.getvalue()


def test_well_formed_subprograms_still_run():
    from pyebpf import VM

    assert VM().run(Executable(_code(GOOD))) == 7      # r0 as the subprogram left it
