"""pcapng input, `pyebpf run` output options: --pcap -, --write-pcap, refused packets, --version,
the progress bar's rate and ETA, and the batched capture run against the one-by-one path."""

from __future__ import annotations

import io
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

import pyebpf
from pyebpf.cli import main
from pyebpf.packets import TCP, Ether, IPv4, checksums_ok, parse
from pyebpf.pcap import PcapError, read_pcap, write_pcap

ROOT = Path(__file__).resolve().parent.parent
PCAP = ROOT / "examples" / "traffic.pcap"
PCAPNG = ROOT / "tests" / "data" / "pcapng" / "traffic.pcapng"      # written by editcap
FIREWALL = str(ROOT / "examples" / "xdp_firewall.o")
TC = str(ROOT / "examples" / "tc_rewrite.o")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_pcapng_reads_as_the_classic_capture() -> None:
    assert list(read_pcap(PCAPNG)) == list(read_pcap(PCAP))


def test_pcapng_errors() -> None:
    data = PCAPNG.read_bytes()
    with pytest.raises(PcapError, match="bad length"):
        list(read_pcap(data[:-3]))
    # a packet block before any interface block
    shb_len = int.from_bytes(data[4:8], "little")
    idb_len = int.from_bytes(data[shb_len + 4:shb_len + 8], "little")
    with pytest.raises(PcapError, match="no interface 0"):
        list(read_pcap(data[:shb_len] + data[shb_len + idb_len:]))


def test_run_pcapng_and_stdin(capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    code, ref, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", str(PCAP))
    assert code == 0
    code, ng, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", str(PCAPNG))
    assert code == 0
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PCAP.read_bytes())))
    code, stdin, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", "-")
    assert code == 0
    a, b, c = (json.loads(x) for x in (ref, ng, stdin))
    assert a["verdicts"] == b["verdicts"] == c["verdicts"] == {"XDP_PASS": 27, "XDP_DROP": 11}
    assert c["input"] == "38 packets from standard input"


def test_write_pcap_of_rewritten_packets(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    """tc_rewrite over the capture: the written packets are the program's output (MACs
    swapped, TTL - 1, port 8080 -> 80 with checksums still right), timestamps kept."""
    out_path = tmp_path / "out.pcap"
    code, out, err = run(capsys, "run", TC, "--pcap", str(PCAP), "--write-pcap", str(out_path))
    assert code == 0, err
    # the capture's last frame (a truncated IPv4 header) is refused by skb test runs
    assert "  packet 38 refused by test_run: EINVAL: frame too short for its IPv4/IPv6 " \
        "header" in out
    assert f"37 packets as the program left them written to {out_path}" in out
    before, after = list(read_pcap(PCAP))[:37], list(read_pcap(out_path))
    assert [p.timestamp_ns for p in after] == [p.timestamp_ns for p in before]
    redirected = 0
    for a, b in zip(before, after, strict=True):
        sa, sb = parse(a.data), parse(b.data)
        if IPv4 not in sa:
            assert b.data == a.data
            continue
        assert sb[Ether].src == sa[Ether].dst and sb[Ether].dst == sa[Ether].src
        assert sb[IPv4].ttl == sa[IPv4].ttl - 1
        assert checksums_ok(b.data)
        if TCP in sa and sa[TCP].dport == 8080:
            assert sb[TCP].dport == 80
            redirected += 1
    assert redirected > 0


def test_refused_packets_are_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    frames = [p.data for p in read_pcap(PCAP)]
    frames[4] = frames[4][:10]                         # a runt: XDP needs 14 bytes
    frames[20] = bytes(4000)                           # more than a page: frags
    bad = tmp_path / "bad.pcap"
    write_pcap(bad, frames)
    code, out, err = run(capsys, "run", FIREWALL, "--pcap", str(bad))
    assert code == 0, err
    assert "  packet 5 refused by test_run: EINVAL: XDP needs at least 14 bytes of data" in out
    assert "  packet 21 refused by test_run: ENOTSUP: multi-buffer (frags) XDP frames " \
           "are not supported" in out
    code, js, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", str(bad))
    r = json.loads(js)
    assert [p["packet"] for p in r["refused_packets"]] == [5, 21]
    assert r["refused"] == {"EINVAL": 1, "ENOTSUP": 1}
    # the other 36 ran once each: the stats count 36 packets (not a chunk run twice)
    (stats,) = [m for m in r["maps"] if m["name"] == "stats"]
    assert sum(e["value"] for e in stats["entries"]) == 36


def test_batched_capture_equals_one_by_one(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    """--repeat 1 takes the one-by-one path; the verdicts and maps must be the same as
    the batched run's (3800 packets in batches of 1000: the last one short)."""
    import pyebpf.cli

    monkeypatch.setattr(pyebpf.cli, "_BATCH", 1000)
    frames = [p.data for p in read_pcap(PCAP)] * 100
    big = tmp_path / "big.pcap"
    write_pcap(big, frames)
    code, batched, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", str(big))
    assert code == 0
    code, single, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", str(big), "--repeat", "1")
    assert code == 0
    a, b = json.loads(batched), json.loads(single)
    assert a["verdicts"] == b["verdicts"] == {"XDP_PASS": 27 * 100, "XDP_DROP": 11 * 100}
    assert a["maps"] == b["maps"]


def test_progress_bar_rate_and_eta(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    frames = [p.data for p in read_pcap(PCAP)] * 6
    big = tmp_path / "big.pcap"
    write_pcap(big, frames)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run(capsys, "run", FIREWALL, "--pcap", str(big), "--repeat", "1")
    assert code == 0
    assert re.search(r"228/228  [\d.]+[kM]? packets/s  ETA 0 s", err), err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert out.strip() == f"pyebpf {project['version']}" == f"pyebpf {pyebpf.__version__}"


OBJECTS = sorted((ROOT / "examples").glob("*.o")) + sorted((ROOT / "tests" / "data" / "elf")
                                                         .glob("*.o"))


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda p: p.name)
def test_disasm_output_reassembles(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   obj: Path) -> None:
    """Every program of every shipped object (clang's output, not shaped for this):
    `pyebpf disasm` text, fed to `pyebpf asm --prog`, gives the program's bytes back
    (map references by name in the header's fd_array order, helpers by name, labels)."""
    code, out, err = run(capsys, "disasm", str(obj))
    assert code == 0, err
    listing = tmp_path / "all.s"
    listing.write_text(out)
    spec = pyebpf.load_elf(obj)
    for name, prog in spec.programs.items():
        target = tmp_path / f"{name}.bin"
        code, _, err = run(capsys, "asm", str(listing), "-o", str(target), "--prog", name)
        assert code == 0, err
        assert target.read_bytes() == prog.bytecode, name
    if len(spec.programs) > 1:
        code, _, err = run(capsys, "asm", str(listing), "-o", str(tmp_path / "x.bin"))
        assert code != 0 and "several programs" in err


def test_map_names_assemble_against_live_maps() -> None:
    """assemble(maps={name: fd}) gives MAP_FD loads of those maps: a program written
    with map[name] runs against them."""
    import ctypes

    from pyebpf import uapi
    from pyebpf.asm import assemble
    from pyebpf.objects import Map, Program

    counts = Map(uapi.BpfMapType.BPF_MAP_TYPE_ARRAY, key_type=ctypes.c_uint32,
                 value_type=ctypes.c_uint64, max_entries=1)
    prog = Program(assemble("""
        *(u32 *)(r10 - 4) = 0
        r2 = r10
        r2 += -4
        r1 = map[counts]
        call bpf_map_lookup_elem#1
        if r0 == 0 goto out
        r1 = 1
        lock *(u64 *)(r0 + 0) += r1
    out:
        r0 = 2
        exit
    """, "llvm", maps={"counts": counts.fd}), uapi.BpfProgType.BPF_PROG_TYPE_XDP)
    for _ in range(3):
        prog.test_run(bytes(64))
    assert counts[0].value == 3
