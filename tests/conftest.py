"""Shared fixtures.

``kernel``: the live kernel as an oracle (pyebpf.kernel). Tests that compare pyebpf with the
kernel take this fixture; it skips them, printing why, only where ``bpf()`` is refused
(EPERM/ENOSYS, or not Linux), never silently otherwise.
"""

from __future__ import annotations

import pytest

from pyebpf import kernel as _kernel


@pytest.fixture(scope="session")
def kernel():
    """The :mod:`pyebpf.kernel` module, once ``bpf()`` is known to work in this process."""
    ok, reason = _kernel.kernel_available()
    if not ok:
        pytest.skip(f"live kernel unavailable: {reason}")
    return _kernel


@pytest.fixture(params=["interpreter", "jit"])
def engine(request, monkeypatch):
    """Run the test once per engine (bpf_prog_select_runtime's two outcomes).

    Under "jit" every program the test builds must come out JIT-compiled: a silent
    fallback to the interpreter would make the comparison meaningless.
    """
    from pyebpf import _jit

    if request.param == "jit" and not _jit.SUPPORTED:
        pytest.skip("the JIT emits x86-64 code only")
    select = _jit.select_runtime

    def strict(exe, jit=None):
        select(exe, jit)
        if request.param == "jit" and jit is not False:
            assert exe.jited, f"the JIT refused a program: {exe.jit_error}"

    monkeypatch.setattr(_jit, "select_runtime", strict)
    _jit.set_enabled(request.param == "jit")
    yield request.param
    _jit.set_enabled(None)
