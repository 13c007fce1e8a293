"""Exhaustive context probe: every offset x size x direction of a program type's context.

Each probe is a three- or four-instruction program: a load ``r0 = *(uN *)(r1 + off)`` or a
store ``*(uN *)(r1 + off) = r2`` of the scalar 0, then ``r0 = RET; exit`` with a return
value the type accepts.  The kernel's answer (verdict, errno, the log's last line before
the summary) is recorded in ``tests/data/ctxprobe/kernel.json`` by
``python -m tests._ctxprobe --record`` (needs root and bpf(); only the accepted probes and
the refusals other than "invalid bpf_context access" are stored); the suite compares pyebpf
with the recording and re-probes a sample of it live where the kernel is there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pyebpf import uapi
from pyebpf.errors import BPFError, VerifierError
from pyebpf.isa import Instruction

PT = uapi.BpfProgType
AT = uapi.BpfAttachType
DATA = Path(__file__).parent / "data" / "ctxprobe" / "kernel.json"
HELPER_DATA = DATA.with_name("helpers.json")
HELPER_IDS = range(1, 212)     # BPF_FUNC_map_lookup_elem .. cgrp_storage_delete (6.18)
_SIZE_BITS = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}


def _at(*names: str) -> list[int]:
    return [int(AT["BPF_" + n]) for n in names]


_SOCK_ADDR_ATTACH = _at(
    "CGROUP_INET4_BIND", "CGROUP_INET6_BIND", "CGROUP_INET4_CONNECT", "CGROUP_INET6_CONNECT",
    "CGROUP_UNIX_CONNECT", "CGROUP_UDP4_SENDMSG", "CGROUP_UDP6_SENDMSG", "CGROUP_UNIX_SENDMSG",
    "CGROUP_UDP4_RECVMSG", "CGROUP_UDP6_RECVMSG", "CGROUP_UNIX_RECVMSG",
    "CGROUP_INET4_GETPEERNAME", "CGROUP_INET6_GETPEERNAME", "CGROUP_UNIX_GETPEERNAME",
    "CGROUP_INET4_GETSOCKNAME", "CGROUP_INET6_GETSOCKNAME", "CGROUP_UNIX_GETSOCKNAME")
_RET1 = frozenset(_at("CGROUP_UDP4_RECVMSG", "CGROUP_UDP6_RECVMSG", "CGROUP_UNIX_RECVMSG",
                      "CGROUP_INET4_GETPEERNAME", "CGROUP_INET6_GETPEERNAME",
                      "CGROUP_UNIX_GETPEERNAME", "CGROUP_INET4_GETSOCKNAME",
                      "CGROUP_INET6_GETSOCKNAME", "CGROUP_UNIX_GETSOCKNAME"))

# (program type name, expected attach types, bytes probed from offset 0)
CONFIGS: list[tuple[str, list[int], int]] = [
    ("SOCK_OPS", [0], 232),
    ("CGROUP_SOCK", _at("CGROUP_INET_SOCK_CREATE", "CGROUP_INET_SOCK_RELEASE",
                        "CGROUP_INET4_POST_BIND", "CGROUP_INET6_POST_BIND"), 88),
    ("CGROUP_SOCK_ADDR", _SOCK_ADDR_ATTACH, 80),
    ("CGROUP_SOCKOPT", _at("CGROUP_GETSOCKOPT", "CGROUP_SETSOCKOPT"), 48),
    ("CGROUP_SYSCTL", [int(AT.BPF_CGROUP_SYSCTL)], 16),
    ("CGROUP_DEVICE", [int(AT.BPF_CGROUP_DEVICE)], 16),
    ("SK_SKB", _at("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT"), 200),
    ("SK_MSG", [int(AT.BPF_SK_MSG_VERDICT)], 88),
    ("SK_REUSEPORT", _at("SK_REUSEPORT_SELECT", "SK_REUSEPORT_SELECT_OR_MIGRATE"), 64),
    ("SK_LOOKUP", [int(AT.BPF_SK_LOOKUP)], 80),
    ("FLOW_DISSECTOR", [int(AT.BPF_FLOW_DISSECTOR)], 200),
    ("LWT_IN", [0], 200),
    ("LWT_OUT", [0], 200),
    ("LWT_XMIT", [0], 200),
    ("LWT_SEG6LOCAL", [0], 200),
]


def ret_value(attach: int) -> int:
    """A return value every probed type accepts (cgroup recvmsg/getname: only 1)."""
    return 1 if attach in _RET1 else 0


def program(off: int, size: int, write: bool, ret: int) -> list[Instruction]:
    bits = _SIZE_BITS[size]
    if write:
        t = [(0xB7, 2, 0, 0, 0), (0x63 | bits, 1, 2, off, 0)]
    else:
        t = [(0x61 | bits, 0, 1, off, 0)]
    t += [(0xB7, 0, 0, 0, ret), (0x95, 0, 0, 0, 0)]
    return [Instruction(*x, pc=i) for i, x in enumerate(t)]


def reason(log: str) -> str:
    """The log's last line before the statistics: where the kernel says why."""
    lines = [ln for ln in log.splitlines() if ln.strip()
             and not ln.startswith(("processed ", "verification time"))]
    return lines[-1] if lines else ""


def default_refusal(off: int, size: int) -> str:
    """The kernel's answer for most probes: the recording stores only the others."""
    return f"13:invalid bpf_context access off={off} size={size}"


def save(table: dict[str, str]) -> None:
    """Losslessly compact: the accepted keys, and every refusal that is not the default."""
    ok = sorted(k for k, v in table.items() if v == "ok")
    other = {}
    for k, v in table.items():
        _name, _at, off, size, _rw = k.split("/")
        if v != "ok" and v != default_refusal(int(off), int(size)):
            other[k] = v
    DATA.write_text(json.dumps({"ok": ok, "other": other}, indent=0, sort_keys=True) + "\n")


def load() -> dict[str, str]:
    raw = json.loads(DATA.read_text())
    ok, other = set(raw["ok"]), raw["other"]
    table = {}
    for c in cases():
        k = key(*c)
        table[k] = "ok" if k in ok else other.get(k, default_refusal(c[2], c[3]))
    return table


def cases() -> list[tuple[str, int, int, int, bool]]:
    out = []
    for name, attaches, limit in CONFIGS:
        for at in attaches:
            for off in range(limit):
                for size in (1, 2, 4, 8):
                    for write in (False, True):
                        out.append((name, at, off, size, write))
    return out


def key(name: str, at: int, off: int, size: int, write: bool) -> str:
    return f"{name}/{at}/{off}/{size}/{'w' if write else 'r'}"


def kernel_answer(kernel, name: str, at: int, off: int, size: int, write: bool) -> str:
    """'ok' or 'errno:reason' from the live kernel."""
    try:
        p = kernel.KernelProgram(program(off, size, write, ret_value(at)),
                                 int(PT["BPF_PROG_TYPE_" + name]), expected_attach_type=at)
    except VerifierError as e:
        return f"{e.errno}:{reason(e.log)}"
    except BPFError as e:
        return f"{e.errno}:"
    p.close()
    return "ok"


def pyebpf_answer(name: str, at: int, off: int, size: int, write: bool) -> str:
    from pyebpf.verifier import bpf_check

    try:
        bpf_check(program(off, size, write, ret_value(at)), int(PT["BPF_PROG_TYPE_" + name]),
                  expected_attach_type=at, log_level=1)
    except VerifierError as e:
        return f"{e.errno}:{reason(e.log) if e.log else e.args[0]}"
    return "ok"


def helper_configs() -> list[tuple[str, int]]:
    return [(name, at) for name, attaches, _ in CONFIGS for at in attaches]


def kernel_helpers(kernel, name: str, at: int) -> list[int]:
    """The helper ids the kernel offers this program type and attach type: a call the
    verifier refuses with "cannot use helper" (get_func_proto gave NULL) is not offered."""
    out = []
    for fid in HELPER_IDS:
        insns = [Instruction(0x85, 0, 0, 0, fid, pc=0),
                 Instruction(0xB7, 0, 0, 0, ret_value(at), pc=1),
                 Instruction(0x95, 0, 0, 0, 0, pc=2)]
        try:
            p = kernel.KernelProgram(insns, int(PT["BPF_PROG_TYPE_" + name]),
                                     expected_attach_type=at)
            p.close()
        except VerifierError as e:
            if "cannot use helper" in e.log or "invalid func" in e.log:
                continue
        out.append(fid)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--record", action="store_true", help="probe the kernel, write the JSON")
    ap.add_argument("--compare", action="store_true", help="pyebpf against the JSON")
    args = ap.parse_args()
    if args.record:
        from pyebpf import kernel

        table = {key(*c): kernel_answer(kernel, *c) for c in cases()}
        save(table)
        print(f"{len(table)} probes written to {DATA}")
        helpers = {f"{n}/{a}": kernel_helpers(kernel, n, a) for n, a in helper_configs()}
        HELPER_DATA.write_text(json.dumps(helpers, sort_keys=True) + "\n")
        print(f"{len(helpers)} helper sets written to {HELPER_DATA}")
    if args.compare:
        table = load()
        bad = 0
        for c in cases():
            k, mine = table[key(*c)], pyebpf_answer(*c)
            if k != mine:
                bad += 1
                if bad <= 60:
                    print(key(*c), "kernel:", k, "| pyebpf:", mine)
        print(f"{bad} of {len(table)} differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
