"""``pyebpf trace``: the shipped examples attached to a real Python program
(examples/py_app.py), with exact counts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def fib_calls(n: int) -> int:
    """Calls of fib that fib(n) makes, itself included."""
    return 2 * fib(n + 1) - 1


def trace(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyebpf", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_call_counter_and_tracepoint_json() -> None:
    r = trace("-j", "trace", "examples/py_calls.o", "--attach",
              "count_calls=uprobe/__main__:fib", "--attach",
              "count_calls=uprobe/__main__:handle", "--", "python", "examples/py_app.py", "20")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "handled 20 requests, checksum 410"
    maps = {m["name"]: m for m in json.loads(lines[-1])["maps"]}
    calls = {e["key"]: e["value"] for e in maps["calls"]["entries"]}
    want_fib = sum(fib_calls(k) for i in range(20) for k in range(i % 12))
    assert calls == {"handle": 20, "fib": want_fib}
    requests = {e["key"]: e["value"] for e in maps["requests"]["entries"]}
    assert requests == {u: [sum(1 for i in range(20) if i % 3 == u),
                            sum(100 + i for i in range(20) if i % 3 == u)] for u in range(3)}


def test_latency_histogram_text() -> None:
    r = trace("trace", "examples/py_latency.o", "--", "python", "examples/py_app.py", "30")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "handled 30 requests" in out
    assert "map start (hash, __u32 -> __u64[2]): empty" in out      # every entry matched
    hist = out.split("map hist", 1)[1].split("map ", 1)[0].splitlines()[1:]
    assert sum(int(line.split(":")[1]) for line in hist) == 30


def test_trace_errors() -> None:
    r = trace("trace", "examples/xdp_firewall.o", "--", "python", "examples/py_app.py")
    assert r.returncode == 2 and "no program has an attach point" in r.stderr
    r = trace("trace", "examples/py_calls.o")
    assert r.returncode == 2 and "no program to run" in r.stderr
    r = trace("trace", "examples/py_calls.o", "--attach", "nope=uprobe/x:y", "--", "python",
              "examples/py_app.py")
    assert r.returncode == 2 and "want PROG=SECTION" in r.stderr
    r = trace("trace", "examples/py_calls.o", "--", "python", "examples/py_app.py", "x")
    assert r.returncode == 1 and "ValueError" in r.stderr             # the script's own error


def test_sampling_profiler() -> None:
    r = trace("-j", "trace", "examples/py_profile.o", "--sample", "200", "--", "python",
              "examples/py_app.py", "60000")
    assert r.returncode == 0, r.stderr
    maps = {m["name"]: m for m in json.loads(r.stdout.splitlines()[-1])["maps"]}
    stacks = maps["stacks"]["entries"]
    assert sum(e["value"] for e in stacks) >= 5
    in_app = 0
    for e in stacks:        # every sample is of the main thread, named frames all along
        frames = e["key"]["ips"]
        assert frames and all(isinstance(f, str) for f in frames), frames
        in_app += e["value"] if frames[0].startswith("py_app.py:") else 0
    assert in_app >= sum(e["value"] for e in stacks) * 0.8     # mostly inside the app
    r = trace("trace", "examples/py_profile.o", "--", "python", "examples/py_app.py")
    assert r.returncode == 2 and "need --sample" in r.stderr


def test_events_as_json_lines() -> None:
    """--set min_ns=0 before load: every call of handle() is a ring buffer event, printed
    typed through BTF."""
    r = trace("-j", "trace", "examples/py_latency.o", "--set", "min_ns=0", "--no-maps", "--",
              "python", "examples/py_app.py", "25")
    assert r.returncode == 0, r.stderr
    # the program's own print may land in the middle of a line: find the objects
    decoder = json.JSONDecoder()
    events, i = [], r.stdout.find('{"event"')
    while i >= 0:
        obj, end = decoder.raw_decode(r.stdout, i)
        events.append(obj)
        i = r.stdout.find('{"event"', end)
    assert [e["value"]["arg"] for e in events] == [i % 12 for i in range(25)]
    for e in events:
        v = e["value"]
        assert e["event"] == "slow" and v["latency_ns"] > 0
        assert v["slot"] == v["latency_ns"].bit_length() - 1      # log2 bucket
    r = trace("trace", "examples/py_latency.o", "--set", "nope=1", "--", "python",
              "examples/py_app.py")
    assert r.returncode == 2 and "want VAR=VALUE" in r.stderr
