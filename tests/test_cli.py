"""The ``pyebpf`` command line, run as ``python -m pyebpf`` on the shipped examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pyebpf import isa
from pyebpf.cli import main
from pyebpf.elf import load_elf

ROOT = Path(__file__).resolve().parent.parent
FIREWALL = str(ROOT / "examples" / "xdp_firewall.o")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "pyebpf", "maps", FIREWALL],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "lpm_trie  name blocklist  flags 0x1" in proc.stdout


def test_maps_text(capsys):
    code, out, _ = run(capsys, "maps", FIREWALL)
    assert code == 0
    assert out.splitlines()[:2] == [
        "0: lpm_trie  name blocklist  flags 0x1",
        "\tkey 8B  value 4B  max_entries 256  (struct lpm_v4_key -> __u32)",
    ]
    assert "\tblocked_port = 23" in out and "\tdrop_icmp = 1" in out


def test_maps_json_initial_values(capsys):
    code, out, _ = run(capsys, "-j", "maps", str(ROOT / "examples" / "tail_calls.o"))
    assert code == 0
    maps = {m["name"]: m for m in json.loads(out)}
    assert maps["by_proto"]["type"] == "prog_array"
    assert maps["by_proto"]["initial"] == {"1": "handle_icmp", "6": "handle_tcp",
                                           "17": "handle_udp"}


def test_disasm_matches_spec_and_shows_source(capsys):
    prog = load_elf(FIREWALL).programs["xdp_firewall"]
    code, out, _ = run(capsys, "disasm", FIREWALL, "--source")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "xdp_firewall (section xdp, maps: blocklist stats .rodata):"
    insn_lines = [ln for ln in lines[1:] if not ln.startswith(";") and not ln.endswith(":")]
    assert len(insn_lines) == len(prog.instructions)
    assert insn_lines[0] == "    0: (61) r2 = *(u32 *)(r1 + 4)"
    assert any(ln.startswith("; int xdp_firewall(") or "xdp_firewall.bpf.c" in ln
               for ln in lines if ln.startswith(";"))
    assert "   45: (18) r1 = map[blocklist]" in lines
    assert "   47: (85) call bpf_map_lookup_elem#1" in lines
    assert "    4: (2d) if r3 > r2 goto +97 <L102>" in lines and "L102:" in lines


def test_disasm_json_conformance(capsys):
    code, out, _ = run(capsys, "-j", "disasm", FIREWALL, "--syntax", "conformance")
    assert code == 0
    (listing,) = json.loads(out)
    assert listing["insns"][0]["text"] == "ldxw %r2, [%r1+4]"


def test_asm_then_disasm_raw(capsys, tmp_path):
    src = tmp_path / "p.s"
    src.write_text("mov %r0, 7\nadd %r0, 35\nexit\n")
    out_file = tmp_path / "p.bin"
    code, out, _ = run(capsys, "asm", str(src), "-o", str(out_file))
    assert code == 0 and "3 instructions, 24 bytes" in out
    assert [i.imm for i in isa.decode(out_file.read_bytes())] == [7, 35, 0]
    code, out, _ = run(capsys, "disasm", str(out_file))
    assert code == 0
    assert out.splitlines()[1:] == ["    0: (b7) r0 = 7", "    1: (07) r0 += 35",
                                    "    2: (95) exit"]


def test_asm_llvm_syntax_auto(capsys, tmp_path):
    src = tmp_path / "p.s"
    src.write_text("r0 = 1\nexit\n")
    code, _, _ = run(capsys, "asm", str(src), "-o", str(tmp_path / "o.bin"))
    assert code == 0
    assert (tmp_path / "o.bin").read_bytes() == isa.encode(
        [isa.Instruction(0xB7, 0, 0, 0, 1), isa.Instruction(0x95)])


def test_verify_accepts_example(capsys):
    pytest.importorskip("pyebpf.verifier")
    code, out, _ = run(capsys, "verify", FIREWALL)
    assert code == 0
    assert "xdp_firewall: accepted" in out
    assert "processed " in out


@pytest.mark.parametrize("obj", ["full.v1.o", "full.v3.o", "spin_lock.o"])
def test_verify_gives_the_kernels_verdicts(capsys, kernel, obj):
    """``pyebpf verify`` passes what the loader passes (func_info for the bpf_loop
    callback, map BTF for the spin lock): its verdicts are the kernel's."""
    pytest.importorskip("pyebpf.verifier")
    from pyebpf.elf import load_into_kernel
    path = ROOT / "tests" / "data" / "elf" / obj
    spec = load_elf(path)
    kernel_ok = {}
    for name in spec.programs:
        try:
            with load_into_kernel(spec, [name]):
                kernel_ok[name] = True
        except OSError:
            kernel_ok[name] = False
    code, out, _ = run(capsys, "verify", "-j", str(path))
    ours = {r["name"]: r["verdict"] == "accepted" for r in json.loads(out)}
    assert ours == kernel_ok
    assert code == (0 if all(ours.values()) else 1)


@pytest.mark.parametrize(("argv", "message"), [
    (["maps", "/nonexistent.o"], "cannot read '/nonexistent.o'"),
    (["maps", str(ROOT / "examples" / "build.sh")], "is not an ELF object"),
    (["disasm", FIREWALL, "--prog", "nope"], "no program 'nope'"),
    (["disasm", str(ROOT / "examples" / "build.sh")], "not a multiple of 8"),
], ids=["missing-file", "not-elf", "unknown-program", "raw-bad-length"])
def test_user_errors_are_one_line(capsys, argv, message):
    code, _out, err = run(capsys, *argv)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_assembly_is_one_line(capsys, tmp_path):
    src = tmp_path / "bad.s"
    src.write_text("frobnicate r0\n")
    code, _, err = run(capsys, "asm", str(src), "-o", str(tmp_path / "x"))
    assert code == 1 and len(err.strip().splitlines()) == 1


# --- pyebpf run ---------------------------------------------------------------------------

PCAP = str(ROOT / "examples" / "traffic.pcap")
HELLO = str(ROOT / "tests" / "data" / "cli" / "hello.o")


def _example(name: str) -> str:
    return str(ROOT / "examples" / f"{name}.o")


def _telnet_syn_hex() -> str:
    """A TCP SYN to port 23 from the capture's scanner, as hex (the firewall drops it)."""
    from pyebpf.pcap import read_pcap

    for p in read_pcap(PCAP):
        d = p.data
        if d[12:14] == b"\x08\x00" and d[23] == 6 and d[36:38] == b"\x00\x17":
            return d.hex()
    raise AssertionError("the capture has no telnet SYN")


def test_run_firewall_on_capture(capsys):
    code, out, err = run(capsys, "run", FIREWALL, "--pcap", PCAP)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"xdp_firewall (xdp): 38 packets from {PCAP}, verified (")
    verdicts = {ln.split()[0]: int(ln.split()[1]) for ln in lines if ln.startswith("  XDP_")}
    assert verdicts == {"XDP_PASS": 27, "XDP_DROP": 11}
    # the stats array typed through BTF (__u32 -> __u64): passed, blocked source, blocked
    # port, ICMP, malformed; then the frozen .rodata configuration
    start = lines.index("map stats (array, __u32 -> __u64): 5 entries")
    assert lines[start + 1:start + 6] == ["    0: 27", "    1: 0", "    2: 6", "    3: 4",
                                          "    4: 1"]
    assert "map blocklist (lpm_trie, struct lpm_v4_key -> __u32): empty" in lines
    assert lines[-3:] == ["map .rodata (array, frozen):", "    blocked_port = 23",
                          "    drop_icmp = 1"]
    assert err == ""            # no progress bar when stderr is not a terminal


def test_run_json(capsys):
    code, out, _ = run(capsys, "-j", "run", FIREWALL, "--pcap", PCAP)
    assert code == 0
    r = json.loads(out)
    assert r["program"] == "xdp_firewall" and r["runs"] == 38
    assert r["verdicts"] == {"XDP_PASS": 27, "XDP_DROP": 11}
    assert r["verified"]["processed"] > 0
    maps = {m["name"]: m for m in r["maps"]}
    assert [e["value"] for e in maps["stats"]["entries"]] == [27, 0, 6, 4, 1]
    assert maps[".rodata"]["variables"] == {"blocked_port": 23, "drop_icmp": 1}


def test_run_one_packet_hex_and_data_file(capsys, tmp_path):
    syn = _telnet_syn_hex()
    code, out, _ = run(capsys, "run", FIREWALL, "--hex", syn)
    assert code == 0
    assert "  retval      XDP_DROP (1)" in out.splitlines()
    assert "    2: 1" in out.splitlines()               # counted as a blocked port
    packet = tmp_path / "syn.bin"
    packet.write_bytes(bytes.fromhex(syn))
    code, out, _ = run(capsys, "-j", "run", FIREWALL, "--data", str(packet))
    r = json.loads(out)
    assert code == 0 and r["retval"] == 1 and r["data_out"] == syn


def test_run_entry_program_through_tail_calls(capsys):
    code, out, err = run(capsys, "run", _example("tail_calls"), "--pcap", PCAP)
    assert code == 0, err
    assert out.startswith("dispatch (xdp): ")          # the one program no prog array holds
    assert "map by_proto (prog_array): [1] = handle_icmp, [6] = handle_tcp, " \
           "[17] = handle_udp" in out
    lines = out.splitlines()
    start = lines.index("map handled (array, __u32 -> __u64): 256 entries, "
                        "253 all-zero not shown")
    assert lines[start + 1:start + 4] == ["    1: 3", "    6: 27", "    17: 5"]


def test_run_typed_hash_and_struct_values(capsys):
    code, out, _ = run(capsys, "-j", "run", _example("packet_counter"), "--pcap", PCAP)
    assert code == 0
    (per_source,) = [m for m in json.loads(out)["maps"] if m["name"] == "per_source"]
    assert per_source["value_type"] == "struct counters"
    by_addr = {e["key"]: e["value"] for e in per_source["entries"]}
    assert by_addr[int.from_bytes(bytes([10, 0, 0, 2]), "little")] == {"packets": 8,
                                                                       "bytes": 496}


def test_run_ring_buffer_events(capsys):
    code, out, _ = run(capsys, "-j", "run", _example("ringbuf_events"), "--pcap", PCAP)
    assert code == 0
    (events,) = [m for m in json.loads(out)["maps"] if m["name"] == "events"]
    assert len(events["events"]) == 16          # one per SYN without ACK in the capture
    first = bytes.fromhex(events["events"][0].replace(" ", ""))
    assert first[:4] == bytes([10, 0, 0, 2]) and first[6:8] == (443).to_bytes(2, "little")


def test_run_trace_printk_and_ctx(capsys, tmp_path):
    ctx = tmp_path / "ctx.bin"
    ctx.write_bytes((42).to_bytes(8, "little"))
    code, out, _ = run(capsys, "run", HELLO, "--ctx", str(ctx))
    assert code == 0
    lines = out.splitlines()
    assert "  retval      7" in lines
    assert lines[-2:] == ["trace_pipe:", "    hello from pyebpf, call 1, arg0 42"]
    assert "    calls = 1" in lines


def test_run_progress_bar_only_on_a_terminal(capsys, monkeypatch, tmp_path):
    from pyebpf.pcap import read_pcap, write_pcap

    packets = [p.data for p in read_pcap(PCAP)] * 6          # 228 packets: a "long" capture
    big = tmp_path / "big.pcap"
    write_pcap(big, packets)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, "run", FIREWALL, "--pcap", str(big))
    assert code == 0
    assert f"{len(packets)}/{len(packets)}" in err and "[####" in err
    assert "XDP_PASS     162" in out
    code, out, err = run(capsys, "-j", "run", FIREWALL, "--pcap", str(big))
    assert code == 0 and err == ""                           # never with JSON output


@pytest.mark.parametrize(("argv", "message"), [
    (["run", FIREWALL], "runs on packets: give --pcap FILE, --data FILE or --hex HEX"),
    (["run", FIREWALL, "--hex", "zz"], "--hex: not hexadecimal bytes"),
    (["run", FIREWALL, "--hex", "00"], "XDP needs at least 14 bytes"),
    (["run", FIREWALL, "--pcap", "/nonexistent.pcap"], "cannot read '/nonexistent.pcap'"),
    (["run", FIREWALL, "--pcap", str(ROOT / "examples" / "build.sh")], "not a pcap file"),
    (["run", FIREWALL, "--prog", "nope", "--pcap", PCAP], "no program 'nope'"),
    (["run", str(ROOT / "tests" / "data" / "elf" / "full.v3.o"), "--pcap", PCAP],
     "choose one with --prog"),
    (["run", FIREWALL, "--pcap", PCAP, "--repeat", "-1"], "--repeat must be 0..4294967295"),
    (["run", HELLO, "--repeat", "2"], "raw_tp test runs take only ctx_in"),
], ids=["no-input", "bad-hex", "runt-packet", "missing-pcap", "not-pcap", "unknown-program",
        "several-programs", "negative-repeat", "repeat-refused-by-type"])
def test_run_user_errors_are_one_line(capsys, argv, message):
    code, _out, err = run(capsys, *argv)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_run_console_script():
    """The installed ``pyebpf`` command, as the README's first command runs it."""
    import shutil

    exe = shutil.which("pyebpf")
    if exe is None:
        pytest.skip("the pyebpf console script is not installed (pip install -e .)")
    proc = subprocess.run([exe, "run", "examples/xdp_firewall.o", "--pcap",
                           "examples/traffic.pcap"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "XDP_PASS" in proc.stdout and "XDP_DROP" in proc.stdout


def test_run_verifier_refusal_is_one_line(capsys, monkeypatch):
    import pyebpf.cli as cli

    spec = load_elf(FIREWALL)
    prog = spec.programs["xdp_firewall"]
    prog.instructions = prog.instructions[:-1]          # the last exit is gone
    monkeypatch.setattr(cli, "_spec", lambda path: spec)
    code, out, err = run(capsys, "run", FIREWALL, "--hex", "00" * 60)
    assert code == 1 and out == ""
    assert err.startswith("pyebpf run: program 'xdp_firewall': ")
    assert err.rstrip().endswith(f"(the whole log: pyebpf verify {FIREWALL} "
                                 "--prog xdp_firewall)")
    assert len(err.strip().splitlines()) == 1
