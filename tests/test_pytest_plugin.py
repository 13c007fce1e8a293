"""The pytest plugin (pyebpf.pytest_plugin), run through pytester on the shipped examples.

Each test writes a small test file as a user would, runs pytest on it in-process and checks
the outcomes: both engines run under ``@pytest.mark.kernel`` (the kernel one skipped with
its reason where ``bpf()`` is refused), failures name the packet, objects are closed.
"""

from __future__ import annotations

import os
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from pyebpf import kernel

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
KERNEL_OK = kernel.kernel_available()[0]


def _plugin_args() -> list[str]:
    """``-p pyebpf.pytest_plugin`` unless the installed entry point loads it already."""
    if not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") and any(
            ep.value == "pyebpf.pytest_plugin" for ep in entry_points(group="pytest11")):
        return []
    return ["-p", "pyebpf.pytest_plugin"]


@pytest.fixture
def user(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project directory with the examples' objects next to its tests."""
    for name in ("xdp_firewall.o", "tc_rewrite.o", "socket_filter.o", "packet_counter.o"):
        shutil.copy(EXAMPLES / name, pytester.path / name)
    return pytester


def run(p: pytest.Pytester, *args: str) -> pytest.RunResult:
    # the suite's other plugins (hypothesis, benchmark) only slow the inner runs down
    return p.runpytest_inprocess(*_plugin_args(), "-rs", "-p", "no:cacheprovider",
                                 "-p", "no:hypothesispytest", "-p", "no:benchmark", *args)


WORKED_EXAMPLE = '''
import ipaddress
import pytest
from pyebpf.packets import Ether, IPv4, TCP, tcp, udp, icmp_echo
from pyebpf.testing import assert_map, assert_verdict


@pytest.mark.kernel                      # pyebpf, and the live kernel where bpf() works
def test_firewall(bpf_load):
    fw = bpf_load("xdp_firewall.o", variables={"blocked_port": 8080})
    prog = fw.program
    assert prog.run(tcp(dport=8080)).verdict == "XDP_DROP"     # the configured port
    assert prog.run(tcp(dport=23)).verdict == "XDP_PASS"       # telnet: no longer blocked
    assert_verdict(prog, icmp_echo(), "XDP_DROP")              # drop_icmp = 1
    bad = ipaddress.ip_address("192.0.2.7")
    fw.maps["blocklist"][{"prefixlen": 32, "addr": int.from_bytes(bad.packed, "little")}] = 1
    assert_verdict(prog, Ether() / IPv4(src=str(bad)) / TCP(dport=443), "XDP_DROP")
    assert_verdict(prog, udp(dport=53, src="192.0.2.8"), "XDP_PASS")
    assert fw.variables["blocked_port"] == 8080
    # stats: [0] passed, [1] blocked source, [2] blocked port, [3] icmp, [4] malformed
    assert_map(fw.maps["stats"], {0: 2, 1: 1, 2: 1, 3: 1, 4: 0}, exact=True)
'''


def test_worked_example_runs_on_both_engines(user: pytest.Pytester) -> None:
    user.makepyfile(test_fw=WORKED_EXAMPLE)
    result = run(user, "-v")
    result.stdout.fnmatch_lines(["*test_firewall?pyebpf? PASSED*"])
    if KERNEL_OK:
        result.stdout.fnmatch_lines(["*test_firewall?kernel? PASSED*"])
        result.assert_outcomes(passed=2)
    else:
        result.assert_outcomes(passed=1, skipped=1)


def test_kernel_run_skipped_with_the_reason(user: pytest.Pytester,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    reason = "bpf() refused with EPERM: not root / no CAP_BPF, or kernel.unprivileged_bpf_disabled"
    monkeypatch.setattr(kernel, "_available", (False, reason))
    user.makepyfile(test_fw=WORKED_EXAMPLE)
    result = run(user)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED * kernel engine: {reason}*"])


def test_unmarked_tests_run_once_on_pyebpf(user: pytest.Pytester) -> None:
    user.makepyfile(test_one='''
def test_engine(bpf_load, bpf_engine):
    assert bpf_engine == "pyebpf"
    obj = bpf_load("packet_counter.o")
    assert obj.engine == "pyebpf"
''')
    result = run(user, "-v")
    result.stdout.fnmatch_lines(["*::test_engine PASSED*"])
    result.assert_outcomes(passed=1)


def test_engines_option(user: pytest.Pytester) -> None:
    user.makepyfile(test_fw=WORKED_EXAMPLE)
    result = run(user, "-v", "--bpf-engines=pyebpf")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_firewall?pyebpf? PASSED*"])
    bad = run(user, "--bpf-engines=bcc")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--bpf-engines: bcc is not an engine*"])


def test_failure_names_the_packet_and_engine(user: pytest.Pytester) -> None:
    user.makepyfile(test_bad='''
import pytest
from pyebpf.packets import tcp
from pyebpf.testing import assert_map, assert_verdict

@pytest.mark.kernel
def test_wrong_verdict(bpf_load):
    assert_verdict(bpf_load("xdp_firewall.o").program, tcp(dport=23), "XDP_PASS")

def test_wrong_map(bpf_load):
    fw = bpf_load("xdp_firewall.o")
    fw.program.run(tcp(dport=23))
    assert_map(fw.maps["stats"], {2: 5, 0: 0})
''')
    result = run(user)
    result.assert_outcomes(failed=3 if KERNEL_OK else 2, skipped=0 if KERNEL_OK else 1)
    result.stdout.fnmatch_lines([
        "*xdp_firewall (pyebpf) answered 'XDP_DROP' (retval 1), expected 'XDP_PASS', for "
        "54-byte frame: Ether type=0x0800 / IPv4 10.0.0.2 > 10.0.0.1 / TCP 40000 > 23 [[]S[]]*"])
    if KERNEL_OK:
        result.stdout.fnmatch_lines(["*xdp_firewall (kernel) answered 'XDP_DROP'*"])
    result.stdout.fnmatch_lines(["*map stats (pyebpf) differs:*", "*2: 1, expected 5*"])


def test_rewriting_program_and_frozen_rodata(user: pytest.Pytester) -> None:
    """tc_rewrite's output through both engines: swapped MACs, TTL - 1, port 8080 -> 80,
    checksums still right; a write to .rodata after load refused."""
    user.makepyfile(test_tc='''
import pytest
from pyebpf.errors import BPFError
from pyebpf.packets import Ether, IPv4, TCP, checksums_ok, parse

@pytest.mark.kernel
def test_rewrite(bpf_load):
    prog = bpf_load("tc_rewrite.o").program
    frame = Ether(dst="02:00:00:00:00:01", src="02:00:00:00:00:aa") / \\
        IPv4(ttl=9) / TCP(dport=8080) / b"payload"
    out = prog.run(frame)
    assert out.verdict == "TC_ACT_OK"
    got = parse(out.data)
    assert got[Ether].src == "02:00:00:00:00:01" and got[Ether].dst == "02:00:00:00:00:aa"
    assert got[IPv4].ttl == 8 and got[TCP].dport == 80
    assert checksums_ok(out.data)
    assert prog.run(Ether() / IPv4(ttl=1) / TCP()).verdict == "TC_ACT_SHOT"

@pytest.mark.kernel
def test_rodata_frozen(bpf_load):
    fw = bpf_load("xdp_firewall.o")
    with pytest.raises(BPFError, match="frozen at load"):
        fw.variables["drop_icmp"] = 0
    assert fw.variables["drop_icmp"] == 1
''')
    result = run(user)
    result.assert_outcomes(passed=4 if KERNEL_OK else 2, skipped=0 if KERNEL_OK else 2)


def test_objects_closed_after_the_test(user: pytest.Pytester) -> None:
    user.makepyfile(test_close='''
import os
objs = []

def test_load(bpf_load):
    obj = bpf_load("socket_filter.o")
    objs.append(obj)
    assert all(os.fstat(fd) for fd in obj.runtime.open_fds())

def test_closed():
    (obj,) = objs
    assert obj.runtime.open_fds() == []
''')
    run(user).assert_outcomes(passed=2)


def test_missing_object_says_where_it_looked(user: pytest.Pytester) -> None:
    user.makepyfile(test_missing='''
def test_missing(bpf_load):
    bpf_load("nope.o")
''')
    result = run(user)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*FileNotFoundError: no BPF object 'nope.o' (looked for *"])
