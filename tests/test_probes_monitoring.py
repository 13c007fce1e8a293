"""The 3.12+ hook (sys.monitoring PY_START/PY_RETURN on one code object), run under a
newer interpreter when the machine has one (this project's builds are for the running
Python, so the compiled runtime is stubbed out: what is checked is what the hook hands a
program: the registers of each call and return, and that detaching unhooks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import struct, sys, types
sys.path[:0] = [ROOT, ROOT + "/tests"]
core = types.ModuleType("pyebpf._core"); core.address_of = lambda b: 1234
pt = types.ModuleType("pyebpf.progtypes")
class RunState:
    def __init__(self, prog): self.prog = prog
pt.RunState = RunState
sys.modules["pyebpf._core"], sys.modules["pyebpf.progtypes"] = core, pt
from pyebpf import probes
import probe_targets
assert probes._MONITORING == (MODE == "monitoring")
calls = []
class Prog:
    def prepare(self): pass
    def execute(self, r1, state, memory=()):
        regs = memory[0]
        calls.append(tuple(struct.unpack_from("<Q", regs, o)[0] for o in (112, 104, 80))
                     + tuple(bytes(m) for m in memory[1:]))
site = probes.function_site("probe_targets:add")
entry, ret = probes._Attached(Prog()), probes._Attached(Prog())
site.add(entry, False); site.add(ret, True)
assert probe_targets.add(3, 4) == 7 and probe_targets.add(5) == 15
assert probe_targets.add(-1, b=0) == -1
site.remove(entry); site.remove(ret)
probe_targets.add(100, 100)
g = probes.function_site("probe_targets:greet"); a = probes._Attached(Prog()); g.add(a, False)
probe_targets.greet("zed", 2); g.remove(a)
print(calls)
'''


def _newer_pythons() -> list[str]:
    """Interpreters 3.12+ that start (a pyenv shim of a version not selected does not)."""
    import glob

    cands = [shutil.which(f"python3.{m}") for m in (12, 13, 14)]
    cands += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")))
    out = []
    for exe in dict.fromkeys(c for c in cands if c):
        try:
            r = subprocess.run([exe, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                               capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if r.returncode == 0 and r.stdout.strip() == "True":
            out.append(exe)
    return out


@pytest.mark.parametrize("mode", ["monitoring", "code-swap"])
def test_hook_under_newer_python(mode: str) -> None:
    found = _newer_pythons()
    if sys.version_info >= (3, 12):
        found = [sys.executable]
    if not found:
        pytest.skip("no Python 3.12+ on this machine")
    env = {k: v for k, v in os.environ.items() if k != "PYEBPF_NO_MONITORING"}
    if mode == "code-swap":
        env["PYEBPF_NO_MONITORING"] = "1"
    for exe in found:
        code = f"ROOT = {str(ROOT)!r}\nMODE = {mode!r}\n" + SCRIPT
        r = subprocess.run([exe, "-c", code], capture_output=True, text=True, timeout=60,
                           env=env)
        if r.returncode and "No module named" in r.stderr and "pyebpf" not in r.stderr:
            pytest.skip(f"{exe}: {r.stderr.strip().splitlines()[-1]}")
        assert r.returncode == 0, f"{exe}: {r.stderr}"
        u64 = (1 << 64) - 1
        assert eval(r.stdout) == [(3, 4, 0), (0, 0, 7), (5, 10, 0), (0, 0, 15),
                                  (u64, 0, 0), (0, 0, u64), (1234, 2, 0, b"zed\0")], exe
