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
    assert lines[0] == "xdp_firewall (section xdp):"
    insn_lines = [ln for ln in lines[1:] if not ln.startswith(";")]
    assert len(insn_lines) == len(prog.instructions)
    assert insn_lines[0] == "    0: (61) r2 = *(u32 *)(r1 + 4)"
    assert any(ln.startswith("; int xdp_firewall(") or "xdp_firewall.bpf.c" in ln
               for ln in lines if ln.startswith(";"))
    assert "; map[blocklist]" in out


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
