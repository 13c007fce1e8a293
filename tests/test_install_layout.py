"""A source checkout next to an installed pyebpf (issue 12): `import pyebpf` from the
repository root finds the source tree first.  Unbuilt, it takes the compiled modules from
the installed copy; with none installed, importing them says what to do; and without
Cython the uncompiled verifier modules still run (pyebpf._cython_shim)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

README_LIKE = """
import sys
sys.modules['cython'] = None          # as on a machine without Cython
import ctypes
import pyebpf
from pyebpf import asm
from pyebpf.objects import Map, Program
from pyebpf.uapi import BpfMapType, BpfProgType
import pyebpf.verifier.check as check
assert not check.__file__.endswith('.py') or check.cython.__name__ == 'pyebpf._cython_shim'
spec = pyebpf.load_elf("examples/xdp_firewall.o")
with spec.load() as coll:
    fw = coll.programs["xdp_firewall"]
    print(fw.test_run(data=bytes(64)).retval, pyebpf._core.__file__.startswith(sys.argv[1]))
"""


def _checkout(tmp_path: Path) -> Path:
    """The repository as a fresh clone has it: sources, no compiled modules."""
    co = tmp_path / "checkout"
    shutil.copytree(ROOT / "pyebpf", co / "pyebpf",
                    ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__", "build"))
    shutil.copytree(ROOT / "examples", co / "examples")
    return co


def test_unbuilt_checkout_uses_the_installed_compiled_modules(tmp_path: Path) -> None:
    co = _checkout(tmp_path)
    installed = tmp_path / "site"
    installed.mkdir()
    os.symlink(ROOT / "pyebpf", installed / "pyebpf")           # a built pyebpf elsewhere
    env = {**os.environ, "PYTHONPATH": str(installed)}
    proc = subprocess.run([sys.executable, "-c", "import pyebpf._core\n" + README_LIKE,
                           str(installed)], cwd=co, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["2", "True"]          # not IP: passed; _core installed


def test_unbuilt_checkout_alone_says_what_to_do(tmp_path: Path) -> None:
    co = _checkout(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-S", "-c", "import pyebpf._core"], cwd=co,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "pyebpf._core is not built" in proc.stderr
    assert "python setup.py build_ext --inplace" in proc.stderr


@pytest.mark.skipif(not (ROOT / "pyebpf" / "verifier").exists(), reason="no verifier")
def test_shim_gives_the_annotations_their_python_meaning() -> None:
    from pyebpf import _cython_shim as cy

    assert cy.cast(cy.ulonglong, 5) == 5 and cy.declare(cy.int) == 0
    assert cy.declare(cy.bint, 1) is True and cy.declare(object) is None
    marker = object()
    assert cy.cast(object, marker) is marker
    assert cy.locals(a=cy.int)(len) is len and cy.final(int) is int and cy.cclass(int) is int
