"""README.md's examples run as written, from the repository root."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```python\n(.*?)^```$", README, re.S | re.M)


def test_readme_starts_with_the_two_ci_commands() -> None:
    first = re.search(r"^```sh\n(.*?)^```$", README, re.S | re.M)
    assert first is not None and README.index(first.group(0)) < README.index("##")
    commands = first.group(1).strip().splitlines()
    assert len(commands) == 2
    assert commands[0].startswith("pip install . && pyebpf run examples/")
    assert "pytest" in commands[1]


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=lambda i: f"python-block-{i}")
def test_readme_python_examples_run(index: int) -> None:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), {})
    finally:
        os.chdir(cwd)
    for expected in re.findall(r"#\s*prints?:?\s*(.+)$", BLOCKS[index], re.M):
        assert expected.strip() in out.getvalue()
    for expected in re.findall(r"^print\(.*\)\s*#\s*(\d[\d ]*)$", BLOCKS[index], re.M):
        assert expected.strip() in out.getvalue()
