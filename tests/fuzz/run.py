"""Coverage-guided fuzzing of one target with atheris (libFuzzer).

    python tests/fuzz/run.py TARGET [libFuzzer options] [CORPUS_DIR ...]

e.g. ``python tests/fuzz/run.py elf -max_total_time=600 tests/fuzz/corpus/elf``.  With no
corpus directory the committed one (tests/fuzz/corpus/TARGET) is used, read-only: new
inputs go to a temporary directory.  A finding is written as crash-*/timeout-* in the
working directory and the run exits non-zero; libFuzzer prints the executions.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

with atheris.instrument_imports(include=["pyebpf"]):
    import targets


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in targets.TARGETS:
        sys.exit(f"usage: run.py {{{'|'.join(targets.TARGETS)}}} [libFuzzer options] [dirs]")
    name = sys.argv[1]
    fn = targets.TARGETS[name]
    args = [sys.argv[0], *sys.argv[2:]]
    if not any(not a.startswith("-") for a in args[1:]):
        args += [tempfile.mkdtemp(prefix=f"pyebpf-fuzz-{name}-"),
                 os.path.join(HERE, "corpus", name)]

    def one(data: bytes) -> None:
        fn(data)

    atheris.Setup(args, one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
