"""The standing fuzz campaign (tests/fuzz): the committed corpus replayed through every
target, and a short coverage-guided atheris run of each (PYEBPF_LONG=1: five minutes each;
PYEBPF_FUZZ_SECONDS overrides).  Findings are what a target must never do: raise anything
but a BPFError, crash, hang, or (prog_load) let a verified program fault."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).parent / "fuzz"
sys.path.insert(0, str(FUZZ))

import targets  # noqa: E402

CORPUS = FUZZ / "corpus"
SECONDS = int(os.environ.get("PYEBPF_FUZZ_SECONDS",
                             "300" if os.environ.get("PYEBPF_LONG") else "4"))


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_corpus_replays_cleanly(name: str) -> None:
    seeds = sorted((CORPUS / name).iterdir())
    assert seeds, f"no corpus for {name}"
    for seed in seeds:
        targets.TARGETS[name](seed.read_bytes())


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_coverage_guided_run_finds_nothing(name: str, tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris (the fuzzer) is not installed")
    (tmp_path / "new").mkdir()
    proc = subprocess.run(
        [sys.executable, str(FUZZ / "run.py"), name, f"-max_total_time={SECONDS}",
         "-timeout=20", "-rss_limit_mb=4096", "-print_final_stats=1",
         str(tmp_path / "new"), str(CORPUS / name)],
        cwd=tmp_path, capture_output=True, text=True, timeout=SECONDS + 120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    runs = re.search(r"stat::number_of_executed_units: (\d+)", proc.stderr)
    print(f"{name}: {runs.group(1) if runs else '?'} executions in {SECONDS} s")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert runs and int(runs.group(1)) > 0
