"""The real-world-style corpus (tests/data/realworld/): every program of every object loaded
one at a time in the kernel (through pyebpf.elf.load_into_kernel, which creates maps and
loads programs as libbpf does) and in pyebpf (pyebpf.elf.load_collection).

``python -m tests.realworld`` prints one line per program and the agreement summary;
``--long`` takes every build variant (the default: the -mcpu=v3 -O2 builds).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pyebpf.elf import load_collection, load_elf, load_into_kernel
from pyebpf.errors import BPFError

DIR = Path(__file__).parent / "data" / "realworld"
RECORD = DIR / "kernel.json"    # the kernel's verdicts (``--record``), for machines without bpf()
_PROCESSED = re.compile(r"processed (\d+) insns")


def objects(long: bool = False) -> list[Path]:
    """The committed objects: NAME.VARIANT.o, the default variant being v3-O2."""
    found = sorted(DIR.glob("*.o"))
    return found if long else [p for p in found if p.name.endswith(".v3-O2.o")]


@dataclass
class Verdict:
    ok: bool
    errno: int = 0
    reason: str = ""        # the kernel's wording: the log's last line before statistics
    processed: int = 0
    seconds: float = 0.0

    def short(self) -> str:
        if self.ok:
            return f"ok ({self.processed} insns)"
        return f"refused errno {self.errno}: {self.reason}"


def _reason(log: str, fallback: str) -> str:
    lines = [ln for ln in log.splitlines() if ln.strip()
             and not ln.startswith(("processed ", "verification time"))]
    return lines[-1] if lines else fallback


def _refusal(e: BPFError) -> str:
    """The verifier's reason: the log's last line, else the error's own reason without the
    loader's "program 'x': " context."""
    log = getattr(e, "log", "") or ""
    why = getattr(e, "reason", None) or str(e)
    why = re.sub(r"^(program|map) '[^']*': ", "", why)
    return _reason(log, why)


def _processed(log: str) -> int:
    m = _PROCESSED.search(log or "")
    return int(m.group(1)) if m else 0


def kernel_verdict(path: Path, prog: str) -> Verdict:
    spec = load_elf(path)
    t0 = time.perf_counter()
    try:
        with load_into_kernel(spec, programs=[prog]) as k:
            t = time.perf_counter() - t0
            return Verdict(True, processed=_processed(k.programs[prog].log), seconds=t)
    except BPFError as e:
        return Verdict(False, e.errno or 0, _refusal(e), _processed(getattr(e, "log", "")),
                       time.perf_counter() - t0)


def pyebpf_verdict(path: Path, prog: str, log_level: int = 1) -> Verdict:
    from pyebpf.runtime import Runtime

    spec = load_elf(path)
    t0 = time.perf_counter()
    try:
        coll = load_collection(spec, runtime=Runtime(), programs=[prog], log_level=log_level)
    except BPFError as e:
        return Verdict(False, e.errno or 0, _refusal(e), _processed(getattr(e, "log", "")),
                       time.perf_counter() - t0)
    t = time.perf_counter() - t0
    log = coll.programs[prog].log if log_level else ""
    coll.close()
    return Verdict(True, processed=_processed(log), seconds=t)


def programs(path: Path) -> list[str]:
    return list(load_elf(path).programs)


def recorded(path: Path, prog: str) -> Verdict:
    """The kernel's verdict as recorded by ``--record`` (Linux 6.18)."""
    r = json.loads(RECORD.read_text())[f"{path.name}:{prog}"]
    return Verdict(r["ok"], r["errno"], r["reason"], r["processed"])


def record(paths: list[Path]) -> None:
    table = {}
    for path in paths:
        for prog in programs(path):
            v = kernel_verdict(path, prog)
            table[f"{path.name}:{prog}"] = {"ok": v.ok, "errno": v.errno, "reason": v.reason,
                                            "processed": v.processed}
    RECORD.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    print(f"{len(table)} kernel verdicts written to {RECORD}")


def compare(paths: list[Path], out=sys.stdout, live: bool = True) -> dict:
    """Kernel (live, or the recording) against pyebpf for every program of ``paths``."""
    rows = []
    for path in paths:
        for prog in programs(path):
            k = kernel_verdict(path, prog) if live else recorded(path, prog)
            p = pyebpf_verdict(path, prog)
            rows.append((path.name, prog, k, p))
            mark = "=" if k.ok == p.ok else "!"
            print(f"{mark} {path.name}:{prog}: kernel {k.short()} | pyebpf {p.short()}",
                  file=out)
    kernel_ok = [r for r in rows if r[2].ok]
    both = [r for r in kernel_ok if r[3].ok]
    false_accepts = [r for r in rows if not r[2].ok and r[3].ok]
    refused_both = [r for r in rows if not r[2].ok and not r[3].ok]
    same_line = [r for r in refused_both if r[2].reason == r[3].reason]
    reasons = collections.Counter(r[3].reason for r in kernel_ok if not r[3].ok)
    kernel_reasons = collections.Counter(r[2].reason for r in rows if not r[2].ok)
    summary = {
        "programs": len(rows), "kernel_loads": len(kernel_ok), "both_load": len(both),
        "false_accepts": len(false_accepts), "refused_by_both": len(refused_both),
        "same_error_line": len(same_line), "pyebpf_refusals": dict(reasons),
        "kernel_refusals": dict(kernel_reasons), "rows": rows,
    }
    print(f"{len(rows)} programs in {len(paths)} objects; the kernel loads {len(kernel_ok)}, "
          f"pyebpf loads {len(both)} of those "
          f"({100 * len(both) / max(len(kernel_ok), 1):.1f}%); false accepts "
          f"{len(false_accepts)}; refused by both {len(refused_both)} "
          f"(same first error line: {len(same_line)})", file=out)
    for why, n in reasons.most_common():
        print(f"  pyebpf refuses {n}: {why}", file=out)
    for why, n in kernel_reasons.most_common():
        print(f"  the kernel refuses {n}: {why}", file=out)
    return summary


# packets every runnable program of the corpus is run on (Ethernet frames)
def _ipv4(proto: int, payload: bytes, ttl: int = 64, src: bytes = b"\x0a\x00\x00\x01",
          dst: bytes = b"\x0a\x00\x00\x02") -> bytes:
    ip = (bytes([0x45, 0]) + (20 + len(payload)).to_bytes(2, "big") + bytes(4)
          + bytes([ttl, proto]) + bytes(2) + src + dst)
    return ip + payload


PACKETS = {
    "tcp4": bytes(6) + b"\x02" * 6 + b"\x08\x00" + _ipv4(6, b"\x30\x39\x00\x50" + bytes(16)),
    "udp4-ttl1": bytes(6) + b"\x02" * 6 + b"\x08\x00" + _ipv4(17, b"\x00\x35\x00\x35"
                                                               + bytes(4), ttl=1),
    "vlan-icmp4": bytes(12) + b"\x81\x00\x00\x05\x08\x00" + _ipv4(1, bytes(8)),
    "tcp6": bytes(12) + b"\x86\xdd" + b"\x60" + bytes(3) + (20).to_bytes(2, "big")
            + b"\x06\x40" + bytes(32) + bytes(20),
    "arp": bytes(12) + b"\x08\x06" + bytes(28),
    "runt": bytes(12) + b"\x08\x00" + b"\x45" + bytes(5),
}
RUNNABLE = {0: "skb", 1: "skb", 3: "skb", 4: "skb", 6: "xdp", 8: "skb", 10: "skb",
            11: "skb", 12: "skb", 22: "skb"}   # prog types test_run takes a packet for


def compare_runs(paths: list[Path]) -> tuple[int, int, list[str]]:
    """Every program both load, of a type test_run takes packets for, on every packet:
    (runs, identical runs (errno, or retval and data_out), differences)."""
    from pyebpf.runtime import Runtime

    runs, same, diffs = 0, 0, []
    for path in paths:
        spec = load_elf(path)
        for prog, p in spec.programs.items():
            if p.type not in RUNNABLE or not recorded(path, prog).ok:
                continue
            try:
                mine = load_collection(spec, runtime=Runtime(), programs=[prog])
            except BPFError:
                continue
            # bpf_get_prandom_u32 makes the output differ run to run: retval only
            random = any(i.code == 0x85 and i.src == 0 and i.imm == 7 for i in p.instructions)
            with mine, load_into_kernel(spec, programs=[prog], log_level=0) as k:
                for pname, pkt in PACKETS.items():
                    try:
                        kr = k.programs[prog].test_run(pkt)
                        kernel_says: object = (kr.retval, kr.data_out)
                    except BPFError as e:
                        kernel_says = e.errno
                    try:
                        pr = mine.programs[prog].test_run(pkt)
                        mine_says: object = (pr.retval, pr.data_out)
                    except BPFError as e:
                        mine_says = e.errno
                    runs += 1
                    if random and isinstance(kernel_says, tuple) and \
                            isinstance(mine_says, tuple):
                        kernel_says, mine_says = kernel_says[0], mine_says[0]
                    if kernel_says == mine_says:
                        same += 1
                    else:
                        diffs.append(f"{path.name}:{prog}:{pname}: kernel {kernel_says!r:.120} "
                                     f"pyebpf {mine_says!r:.120}")
    return runs, same, diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--long", action="store_true", help="every build variant")
    ap.add_argument("--record", action="store_true", help="write the kernel's verdicts")
    ap.add_argument("--recorded", action="store_true", help="compare with the recording")
    ap.add_argument("objects", nargs="*", type=Path)
    args = ap.parse_args()
    paths = args.objects or objects(args.long)
    if args.record:
        record(objects(True))
        return 0
    compare(paths, live=not args.recorded)
    if not args.recorded:
        runs, same, diffs = compare_runs(paths)
        print(f"test runs: {same} of {runs} identical (errno, or retval and data_out)")
        for d in diffs:
            print("  " + d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
