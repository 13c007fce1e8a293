"""pyebpf.uapi against the C compiler's view of <linux/bpf.h>.

The reference is the header itself: a small C program, compiled at test time, prints every
constant, ``sizeof`` and ``offsetof`` that pyebpf.uapi mirrors, and the test compares them
one by one. Skipped (with the reason) where no C compiler or no kernel header is installed; the
hard-coded sizes below were checked against the header on the development machine and hold on
any machine.
"""

from __future__ import annotations

import ctypes
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyebpf import uapi

ROOT = Path(__file__).resolve().parent.parent
HEADER = Path("/usr/include/linux/bpf.h")
CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_uapi", ROOT / "tools" / "gen_uapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()
LATER_NAMES = {name for values in GEN.LATER.values() for name, _ in values}


def _walk(cls: type, prefix: str = "", base: int = 0):
    """Yield (C member path, offset, size) for every named, non-bitfield member of cls."""
    anonymous = set(getattr(cls, "_anonymous_", ()))
    for entry in cls._fields_:
        name, typ = entry[0], entry[1]
        if len(entry) == 3 or name.startswith("_pad"):
            continue
        offset = base + getattr(cls, name).offset
        if name in anonymous:
            yield from _walk(typ, prefix, offset)
            continue
        yield prefix + name, offset, ctypes.sizeof(typ)
        if isinstance(typ, type) and issubclass(typ, ctypes.Structure | ctypes.Union):
            yield from _walk(typ, f"{prefix}{name}.", offset)


def _layout_rows() -> list[tuple[str, str, int, int]]:
    rows = []
    for cname, cls in uapi.C_TYPES.items():
        rows.append((cname, "", 0, ctypes.sizeof(cls)))
        for path, offset, size in _walk(cls):
            rows.append((cname, path, offset, size))
    return rows


def _constants() -> dict[str, int]:
    """Every constant uapi mirrors from the headers (excluding values newer than the header)."""
    out: dict[str, int] = {}
    for enum_cls in (uapi.BpfCmd, uapi.BpfMapType, uapi.BpfProgType, uapi.BpfAttachType,
                     uapi.BpfLinkType, uapi.BpfStatsType, uapi.XdpAction, uapi.BpfUpdateFlags,
                     uapi.BpfMapFlags, uapi.BpfProgLoadFlags, uapi.BpfAttachFlags,
                     uapi.BpfTestRunFlags, uapi.TcAct):
        for name, member in enum_cls.__members__.items():
            if name not in LATER_NAMES:
                out[name] = int(member)
    for name, member in uapi.BpfFunc.__members__.items():
        if name.removeprefix("BPF_FUNC_") not in LATER_NAMES:
            out[name] = int(member)
    for name, value in vars(uapi).items():
        if re.fullmatch(r"(BPF|XDP|TC)_[A-Z0-9_]+", name) and isinstance(value, int) \
                and name not in LATER_NAMES and name not in ("BPF_ATTR_SIZE", "BPF_INSN_SIZE"):
            out[name] = value
    return out


@pytest.fixture(scope="module")
def c_view(tmp_path_factory) -> dict[str, int]:
    """Compile and run a C program printing the header's constants, sizes and offsets."""
    if CC is None:
        pytest.skip("no C compiler (cc/gcc/clang) to read <linux/bpf.h> with")
    if not HEADER.exists():
        pytest.skip(f"{HEADER} is not installed (linux-libc-dev)")
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <linux/bpf.h>",
             "#include <linux/pkt_cls.h>", "int main(void) {"]
    for cname, path, _, _ in _layout_rows():
        if path:
            lines.append(f'printf("{cname}/{path} %zu %zu\\n", offsetof({cname}, {path}), '
                         f"sizeof((({cname} *)0)->{path}));")
        else:
            lines.append(f'printf("{cname}/ 0 %zu\\n", sizeof({cname}));')
    for name in _constants():
        lines.append(f'printf("#{name} %lld 0\\n", (long long)({name}));')
    lines += ["return 0;", "}"]
    tmp = tmp_path_factory.mktemp("uapi")
    src, exe = tmp / "layout.c", tmp / "layout"
    src.write_text("\n".join(lines))
    proc = subprocess.run([CC, "-w", "-o", str(exe), str(src)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    view = {}
    for line in result.splitlines():
        key, a, b = line.rsplit(" ", 2)
        view[key] = (int(a), int(b))
    return view


@pytest.mark.parametrize(("cname", "path", "offset", "size"), _layout_rows(),
                         ids=[f"{c.split()[-1]}.{p}" if p else f"sizeof-{c.split()[-1]}"
                              for c, p, _, _ in _layout_rows()])
def test_layout_matches_header(c_view, cname: str, path: str, offset: int, size: int) -> None:
    assert c_view[f"{cname}/{path}"] == (offset, size)


def test_constants_match_header(c_view) -> None:
    wrong = {name: (value, c_view[f"#{name}"][0]) for name, value in _constants().items()
             if c_view[f"#{name}"][0] != value}
    assert wrong == {}


def test_generated_file_is_current() -> None:
    """uapi.py is what tools/gen_uapi.py makes of the header it names (when that is installed)."""
    if not HEADER.exists():
        pytest.skip(f"{HEADER} is not installed")
    committed = (ROOT / "pyebpf" / "uapi.py").read_text()
    if GEN.header_digest(HEADER) not in committed.splitlines()[1]:
        pytest.skip("the installed <linux/bpf.h> is not the one uapi.py was generated from")
    assert GEN.generate(HEADER) == committed


def test_well_known_sizes() -> None:
    # Checked with cc against linux-libc-dev 6.1 headers; stable ABI since.
    assert ctypes.sizeof(uapi.BpfInsn) == 8
    assert ctypes.sizeof(uapi.SkBuff) == 192
    assert ctypes.sizeof(uapi.XdpMd) == 24
    assert uapi.SkBuff.flow_keys.offset == 144 and uapi.SkBuff.sk.offset == 168
    assert uapi.SkBuff.data.offset == 76 and uapi.SkBuff.data_end.offset == 80
    assert uapi.BpfAttr.test.offset == 0 and uapi.BpfAttrTestRun.repeat.offset == 32
    assert uapi.BpfAttrProgLoad.log_buf.offset == 32


def test_kernel_numbering() -> None:
    assert len({m for m in uapi.BpfCmd}) >= 37
    assert uapi.BpfCmd.BPF_MAP_CREATE == 0 and uapi.BpfCmd.BPF_PROG_BIND_MAP == 35
    assert uapi.BpfCmd.BPF_PROG_RUN is uapi.BpfCmd.BPF_PROG_TEST_RUN
    assert uapi.BpfFunc.BPF_FUNC_unspec == 0 and uapi.BpfFunc.BPF_FUNC_map_lookup_elem == 1
    assert uapi.BpfFunc.BPF_FUNC_tail_call == 12 and uapi.BpfFunc.BPF_FUNC_ringbuf_output == 130
    assert [f.value for f in uapi.BpfFunc] == list(range(len(uapi.BpfFunc)))
    assert uapi.BpfMapType.BPF_MAP_TYPE_BLOOM_FILTER == 30
    assert uapi.BpfProgType.BPF_PROG_TYPE_XDP == 6
    assert uapi.TcAct.TC_ACT_UNSPEC == -1 and uapi.TcAct.TC_ACT_SHOT == 2


def test_anonymous_members_alias_the_union() -> None:
    """Writing a member through one view of union bpf_attr shows in the overlapping ones."""
    attr = uapi.BpfAttr()
    attr.map_fd = 7
    assert attr.prog_type == 7 and attr.test.prog_fd == 7 and attr.batch.in_batch == 7
    attr.value = 0x1122334455667788
    assert attr.next_key == 0x1122334455667788
    insn = uapi.BpfInsn(code=0xB7, dst_reg=1, src_reg=2, off=-1, imm=-2)
    assert bytes(insn) == bytes([0xB7, 0x21, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF])
