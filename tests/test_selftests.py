"""The kernel's verifier selftests as a standing differential check (tests/_selftests.py).

Every program of ``tests/data/selftests/verifier_*.o`` of a type pyebpf loads goes through
the live kernel's verifier and pyebpf's; verdict, errno, first error line, the ``__msg``
annotations and (for ``__retval`` programs) the BPF_PROG_TEST_RUN result are compared.
``tests/data/selftests/expected_disagreements.txt`` lists the disagreements known today: a
test fails on any disagreement not listed and on any listed one that is gone, so the list
only shrinks by fixes.  The programs that walk a million instructions run with
PYEBPF_LONG=1.  ``python tests/_selftests.py`` prints the agreement table.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import _selftests as st
import pytest

OBJECTS = st.objects()


def _recorded_release() -> str:
    m = re.search(r"\(Linux (\S+)\)", st.EXPECTED.read_text())
    assert m, "the expectations file names the kernel it was recorded on"
    return m.group(1)


def test_objects_and_annotations_present() -> None:
    """The committed objects are there and carry their annotations as BTF decl tags."""
    assert len(OBJECTS) >= 80
    _, cs, aux, _ = st.cases(st.DATA / "verifier_and.o")
    by_name = {c.name: c.ann for c in cs}
    ann = by_name["invalid_and_of_negative_number"]
    assert ann.failure and not ann.success
    assert ann.msgs == ["R0 max value is outside of the allowed memory range"]
    assert by_name["known_subreg_with_unknown_reg"].retval == 0
    # __msg order is the source order (the __COUNTER__ in each tag), not BTF order
    _, cs, _, _ = st.cases(st.DATA / "verifier_precision.o")
    msgs = {c.name: c.ann.msgs for c in cs}["bpf_neg"]
    assert msgs[-1] == "mark_precise: frame0: regs=r2 stack= before 0: (b7) r2 = 8"
    assert msgs[-2].endswith("before 1: (87) r2 = -r2") and len(msgs) > 3
    _, cs, aux, _ = st.cases(st.DATA / "verifier_unpriv.o")
    assert aux  # __auxiliary tail call targets are recognised


def test_expectations_name_existing_programs() -> None:
    """Every listed disagreement names a program of an object (no stale entries)."""
    keys = {c.key for p in OBJECTS for c in st.cases(p)[1]}
    stale = sorted({k for k, _ in st.read_expected()} - keys)
    assert not stale, stale


@pytest.mark.parametrize("path", OBJECTS, ids=[p.stem for p in OBJECTS])
def test_selftest_programs_agree_with_kernel(kernel, path: Path) -> None:
    if os.uname().release != _recorded_release():
        pytest.skip(f"disagreements recorded on Linux {_recorded_release()}, this is "
                    f"{os.uname().release}: python tests/_selftests.py --update")
    results, _ = st.run_file(path, st.long_mode())
    ran = {r.case.key for r in results}
    got = {(r.case.key, kind): note for r in results
           for kind, note in r.disagreements().items()}
    expected = {k: v for k, v in st.read_expected().items() if k[0] in ran}
    new = [f"{key} {kind}: {got[key, kind]}" for key, kind in sorted(set(got) - set(expected))]
    fixed = [f"{key} {kind}" for key, kind in sorted(set(expected) - set(got))]
    assert not new and not fixed, (
        "new disagreements with the kernel:\n  " + "\n  ".join(new or ["none"])
        + "\nlisted disagreements that are gone (remove them from "
        + f"{st.EXPECTED.name}):\n  " + "\n  ".join(fixed or ["none"]))
