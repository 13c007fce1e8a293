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
