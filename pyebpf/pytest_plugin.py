"""pytest plugin: test BPF programs in CI without root, and against the kernel where it can.

Installed with pyebpf (entry point ``pytest11``: ``pyebpf``), it gives

- ``bpf_load(path, variables=None, programs=None)``: loads a clang-compiled object for
  this test (a :class:`pyebpf.testing.BpfObject`: ``.program``, ``.programs``, typed
  ``.maps``, live ``.variables``), closed when the test ends.  Relative paths are
  looked up next to the test file, then in the rootdir.
- ``bpf_engine``: the engine this test runs on, ``"pyebpf"`` or ``"kernel"``.
- the ``kernel`` marker: ``@pytest.mark.kernel`` runs the test twice, ``[pyebpf]``
  and ``[kernel]``; the kernel run loads the same object into the live kernel
  through ``bpf()`` and is skipped, saying why, where ``bpf()`` is refused (no root,
  a container, another OS).  Only ``BPF_PROG_LOAD``, ``BPF_PROG_TEST_RUN`` and map
  commands are used: nothing is attached.
- ``--bpf-engines=pyebpf,kernel``: the engines marked tests run on (e.g. ``pyebpf``
  alone on a laptop, ``kernel`` alone to check the kernel).

Packets come from :mod:`pyebpf.packets`, assertions from :mod:`pyebpf.testing`
(``assert_verdict``, ``assert_map``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from pyebpf.testing import ENGINES, BpfObject, load

_MARKER = "kernel"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pyebpf", "BPF programs (pyebpf)")
    group.addoption("--bpf-engines", default=",".join(ENGINES), metavar="LIST",
                    help="engines @pytest.mark.kernel tests run on, comma-separated "
                         "(default: pyebpf,kernel)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{_MARKER}: run the test on pyebpf and on the live kernel (bpf_load "
        "loads into each; the kernel run is skipped where bpf() is refused)")
    _engines(config)                # a bad --bpf-engines is a usage error at once


def _engines(config: pytest.Config) -> list[str]:
    names = [e.strip() for e in str(config.getoption("--bpf-engines")).split(",") if e.strip()]
    bad = [e for e in names if e not in ENGINES]
    if bad or not names:
        raise pytest.UsageError(f"--bpf-engines: {', '.join(bad) or 'nothing'} is not an "
                                f"engine (engines: {', '.join(ENGINES)})")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bpf_engine" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker(_MARKER) is not None:
        # unmarked tests are not parametrized: bpf_engine is then "pyebpf"
        metafunc.parametrize("bpf_engine", _engines(metafunc.config), indirect=True)


def pytest_report_header(config: pytest.Config) -> str:
    from pyebpf import kernel

    ok, reason = kernel.kernel_available()
    return f"pyebpf: kernel engine {'available' if ok else 'unavailable'} ({reason})"


@pytest.fixture
def bpf_engine(request: pytest.FixtureRequest) -> str:
    """``"pyebpf"``, or ``"kernel"`` for the kernel run of a ``@pytest.mark.kernel`` test
    (skipped, with the reason, where this process may not use ``bpf()``)."""
    engine = getattr(request, "param", "pyebpf")
    if engine == "kernel":
        from pyebpf import kernel

        ok, reason = kernel.kernel_available()
        if not ok:
            pytest.skip(f"kernel engine: {reason}")
    return engine


def _find(path: str | Path, request: pytest.FixtureRequest) -> Path:
    p = Path(path)
    if p.is_absolute():
        return p
    tried = [Path(request.path).parent / p, Path(request.config.rootpath) / p]
    for candidate in tried:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no BPF object {str(path)!r} (looked for "
                            f"{' and '.join(str(t) for t in tried)})")


@pytest.fixture
def bpf_load(request: pytest.FixtureRequest, bpf_engine: str) -> Iterator[Callable[..., BpfObject]]:
    """``bpf_load("prog.o", variables={"port": 443})``: the object loaded into this test's
    engine (see the module docstring); every object is closed after the test."""
    loaded: list[BpfObject] = []

    def factory(path: str | Path | bytes, *, variables: Mapping[str, object] | None = None,
                programs: Any = None) -> BpfObject:
        source = path if isinstance(path, bytes) else _find(path, request)
        obj = load(source, bpf_engine, variables=variables, programs=programs)
        loaded.append(obj)
        return obj

    yield factory
    for obj in loaded:
        obj.close()
