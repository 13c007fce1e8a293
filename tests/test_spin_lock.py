"""Maps with BTF and bpf_spin_lock, compared with the live kernel.

One ctypes client (BTF_LOAD, MAP_CREATE with btf_fd and type ids, PROG_LOAD with a log,
PROG_TEST_RUN, element commands with BPF_F_LOCK) runs unchanged against ``pyebpf.bpf``
and the kernel's ``bpf()``: the same BTF blob (built here, as clang would emit it for
``struct val { int cnt; struct bpf_spin_lock lock; }``), the same maps and the same
programs; the verdicts, first error lines, errnos and map contents must be the same.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import struct
from collections.abc import Callable, Iterator

import pytest

from pyebpf import isa, uapi
from pyebpf.asm import assemble
from pyebpf.btf import BTF, SPIN_LOCK, TIMER, BTFBuilder, parse_fields
from pyebpf.errors import BPFError
from pyebpf.isa import Instruction
from pyebpf.runtime import Runtime
from pyebpf.syscall import bpf as pyebpf_bpf
from pyebpf.verifier.diff import error_line

C = uapi.BpfCmd
MT = uapi.BpfMapType
PT = uapi.BpfProgType
SOCKET = int(PT.BPF_PROG_TYPE_SOCKET_FILTER)
TC = int(PT.BPF_PROG_TYPE_SCHED_CLS)


# --- a BTF blob, as clang emits it (pyebpf.btf.BTFBuilder) -----------------------------

def _types() -> tuple[bytes, dict[str, int]]:
    b = BTFBuilder()
    ids: dict[str, int] = {}
    ids["int"] = b.int_("int", 4)
    ids["u32"] = b.int_("unsigned int", 4, signed=False)
    ids["long"] = b.int_("long", 8)
    ids["lock"] = b.struct_("bpf_spin_lock", 4, [("val", ids["u32"], 0)])
    # struct val { int cnt; struct bpf_spin_lock lock; }: the lock at 4
    ids["val"] = b.struct_("val", 8, [("cnt", ids["int"], 0), ("lock", ids["lock"], 4)])
    # struct big { long a; struct bpf_spin_lock lock; int b; long c[2]; }: the lock at 8
    ids["big"] = b.struct_("big", 32, [("a", ids["long"], 0), ("lock", ids["lock"], 8),
                                       ("b", ids["int"], 12), ("c", ids["long"], 16),
                                       ("d", ids["long"], 24)])
    ids["plain"] = b.struct_("plain", 8, [("a", ids["int"], 0), ("b", ids["int"], 4)])
    ids["timer"] = b.struct_("bpf_timer", 16, [("a", ids["long"], 0), ("b", ids["long"], 8)])
    ids["tval"] = b.struct_("tval", 24, [("cnt", ids["long"], 0), ("t", ids["timer"], 8)])
    ids["nested"] = b.struct_("nested", 12, [("x", ids["int"], 0), ("in", ids["val"], 4)])
    ids["val_t"] = b.typedef("val_t", ids["val"])
    return b.blob(), ids


BLOB, IDS = _types()


# --- one ctypes client, two back ends -------------------------------------------------------

class Client:
    """What a ctypes program does with bpf(): only ``call`` differs between back ends."""

    def __init__(self, call: Callable[[int, uapi.BpfAttr], int],
                 close: Callable[[int], None]) -> None:
        self.call = call
        self._close = close
        self.fds: list[int] = []

    def _fd(self, fd: int) -> int:
        self.fds.append(fd)
        return fd

    def close_all(self) -> None:
        for fd in self.fds:
            self._close(fd)
        self.fds.clear()

    def btf_load(self, blob: bytes) -> int:
        buf = ctypes.create_string_buffer(blob, len(blob))
        a = uapi.BpfAttr()
        a.btf, a.btf_size = ctypes.addressof(buf), len(blob)
        return self._fd(self.call(C.BPF_BTF_LOAD, a))

    def map_create(self, map_type: int, key_size: int, value_size: int, max_entries: int,
                   btf_fd: int = 0, key_id: int = 0, value_id: int = 0, flags: int = 0,
                   name: str = "m") -> int:
        a = uapi.BpfAttr()
        a.map_type, a.key_size, a.value_size = map_type, key_size, value_size
        a.max_entries, a.map_flags = max_entries, flags
        a.btf_fd, a.btf_key_type_id, a.btf_value_type_id = btf_fd, key_id, value_id
        a.map_name = name.encode()
        return self._fd(self.call(C.BPF_MAP_CREATE, a))

    def map_info(self, fd: int) -> uapi.BpfMapInfo:
        info = uapi.BpfMapInfo()
        a = uapi.BpfAttr()
        a.info.bpf_fd, a.info.info_len = fd, ctypes.sizeof(info)
        a.info.info = ctypes.addressof(info)
        self.call(C.BPF_OBJ_GET_INFO_BY_FD, a)
        return info

    def update(self, fd: int, key: bytes, value: bytes, flags: int = 0) -> None:
        k = ctypes.create_string_buffer(key, len(key))
        v = ctypes.create_string_buffer(value, len(value))
        a = uapi.BpfAttr()
        a.map_fd, a.key, a.value, a.flags = fd, ctypes.addressof(k), ctypes.addressof(v), flags
        self.call(C.BPF_MAP_UPDATE_ELEM, a)

    def lookup(self, fd: int, key: bytes, size: int, flags: int = 0) -> bytes:
        k = ctypes.create_string_buffer(key, len(key))
        v = ctypes.create_string_buffer(size)
        a = uapi.BpfAttr()
        a.map_fd, a.key, a.value, a.flags = fd, ctypes.addressof(k), ctypes.addressof(v), flags
        self.call(C.BPF_MAP_LOOKUP_ELEM, a)
        return v.raw

    def prog_load(self, insns: list[Instruction], prog_type: int = TC
                  ) -> tuple[int | None, int, str]:
        """(fd or None, errno, log) of a load at log level 1."""
        code = isa.encode(insns)
        buf = ctypes.create_string_buffer(code, len(code))
        lic = ctypes.create_string_buffer(b"GPL")
        log = ctypes.create_string_buffer(1 << 20)
        a = uapi.BpfAttr()
        a.prog_type, a.insn_cnt, a.insns = prog_type, len(insns and code) // 8, \
            ctypes.addressof(buf)
        a.license = ctypes.addressof(lic)
        a.log_level, a.log_buf, a.log_size = 1, ctypes.addressof(log), len(log)
        try:
            fd = self.call(C.BPF_PROG_LOAD, a)
        except BPFError as e:
            return None, e.errno, log.value.decode()
        return self._fd(fd), 0, log.value.decode()

    def test_run(self, prog_fd: int, data: bytes) -> int:
        d = ctypes.create_string_buffer(data, len(data))
        a = uapi.BpfAttr()
        a.test.prog_fd, a.test.data_in, a.test.data_size_in = prog_fd, ctypes.addressof(d), \
            len(data)
        self.call(C.BPF_PROG_TEST_RUN, a)
        return a.test.retval


@pytest.fixture
def clients(kernel) -> Iterator[tuple[Client, Client]]:
    """(pyebpf, kernel) clients; every fd is closed afterwards."""
    rt = Runtime()
    ours = Client(lambda cmd, a: pyebpf_bpf(cmd, a, runtime=rt), rt.close)
    theirs = Client(kernel.sys_bpf, os.close)
    yield ours, theirs
    ours.close_all()
    theirs.close_all()


def both(clients: tuple[Client, Client], fn: Callable[[Client], object]) -> tuple:
    """``fn`` on both back ends: (pyebpf's result, the kernel's); an error is its errno
    name."""
    out = []
    for cl in clients:
        try:
            out.append(fn(cl))
        except BPFError as e:
            out.append(errno.errorcode.get(e.errno, str(e.errno)))
    return tuple(out)


# --- BPF_MAP_CREATE with BTF ----------------------------------------------------------------

H, A = int(MT.BPF_MAP_TYPE_HASH), int(MT.BPF_MAP_TYPE_ARRAY)
# (id, map type, key size, value size, key type, value type, flags)
CREATE_CASES = [
    ("hash/lock", H, 4, 8, "int", "val", 0),
    ("array/lock", A, 4, 8, "int", "val", 0),
    ("array/unsigned-key", A, 4, 8, "u32", "val", 0),
    ("array/typedef-value", A, 4, 8, "int", "val_t", 0),
    ("array/struct-key", A, 8, 8, "val", "val", 0),
    ("array/no-key-type", A, 4, 8, None, "val", 0),
    ("hash/no-key-type", H, 4, 8, None, "val", 0),
    ("hash/value-size-mismatch", H, 4, 12, "int", "val", 0),
    ("hash/key-size-mismatch", H, 8, 8, "int", "val", 0),
    ("hash/no-such-value-type", H, 4, 8, "int", 999, 0),
    ("hash/value-int", H, 4, 4, "int", "int", 0),
    ("hash/nested-lock", H, 4, 12, "int", "nested", 0),
    ("percpu-array/lock", int(MT.BPF_MAP_TYPE_PERCPU_ARRAY), 4, 8, "int", "val", 0),
    ("percpu-hash/lock", int(MT.BPF_MAP_TYPE_PERCPU_HASH), 4, 8, "int", "val", 0),
    ("lru-hash/lock", int(MT.BPF_MAP_TYPE_LRU_HASH), 4, 8, "int", "val", 0),
    ("lru-hash/timer", int(MT.BPF_MAP_TYPE_LRU_HASH), 4, 24, "int", "tval", 0),
    ("percpu-hash/timer", int(MT.BPF_MAP_TYPE_PERCPU_HASH), 4, 24, "int", "tval", 0),
    ("queue/lock", int(MT.BPF_MAP_TYPE_QUEUE), 0, 8, None, "val", 0),
    ("hash/lock-rdonly-prog", H, 4, 8, "int", "val", uapi.BPF_F_RDONLY_PROG),
    ("hash/lock-wronly-prog", H, 4, 8, "int", "val", uapi.BPF_F_WRONLY_PROG),
    ("hash/lock-rdonly", H, 4, 8, "int", "val", uapi.BPF_F_RDONLY),
    ("hash/plain-rdonly-prog", H, 4, 8, "int", "plain", uapi.BPF_F_RDONLY_PROG),
    ("hash/lock-no-prealloc", H, 4, 8, "int", "val", uapi.BPF_F_NO_PREALLOC),
    ("array/lock-mmapable", A, 4, 8, "int", "val", uapi.BPF_F_MMAPABLE),
    ("hash/timer-no-prealloc", H, 4, 24, "int", "tval", uapi.BPF_F_NO_PREALLOC),
    ("array/timer", A, 4, 24, "int", "tval", 0),
    ("bloom/lock", int(MT.BPF_MAP_TYPE_BLOOM_FILTER), 0, 8, None, "val", 0),
    ("ringbuf/value-type", int(MT.BPF_MAP_TYPE_RINGBUF), 0, 0, None, "val", 0),
    ("prog-array/key-type", int(MT.BPF_MAP_TYPE_PROG_ARRAY), 4, 4, "int", "int", 0),
    ("lpm/value-type", int(MT.BPF_MAP_TYPE_LPM_TRIE), 8, 8, None, "val",
     uapi.BPF_F_NO_PREALLOC),
    ("stack/value-type", int(MT.BPF_MAP_TYPE_STACK), 0, 4, None, "int", 0),
    ("lpm/int-value", int(MT.BPF_MAP_TYPE_LPM_TRIE), 8, 4, None, "int",
     uapi.BPF_F_NO_PREALLOC),
    ("lpm/long-key", int(MT.BPF_MAP_TYPE_LPM_TRIE), 8, 4, "long", "int",
     uapi.BPF_F_NO_PREALLOC),
    ("lpm/struct-key", int(MT.BPF_MAP_TYPE_LPM_TRIE), 8, 4, "plain", "int",
     uapi.BPF_F_NO_PREALLOC),
    ("perf-event-array/key-type", int(MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY), 4, 4, "int", "int",
     0),
    ("perf-event-array/no-key-type", int(MT.BPF_MAP_TYPE_PERF_EVENT_ARRAY), 4, 4, None,
     "int", 0),
    ("prog-array/no-key-type", int(MT.BPF_MAP_TYPE_PROG_ARRAY), 4, 4, None, "int", 0),
    ("bloom/int-value", int(MT.BPF_MAP_TYPE_BLOOM_FILTER), 0, 4, None, "int", 0),
    ("bloom/key-type", int(MT.BPF_MAP_TYPE_BLOOM_FILTER), 0, 4, "int", "int", 0),
    ("queue/no-key-type", int(MT.BPF_MAP_TYPE_QUEUE), 0, 4, None, "int", 0),
    ("percpu-array/no-key-type", int(MT.BPF_MAP_TYPE_PERCPU_ARRAY), 4, 4, None, "int", 0),
    ("percpu-array/long-key", int(MT.BPF_MAP_TYPE_PERCPU_ARRAY), 4, 8, "long", "long", 0),
]


@pytest.mark.parametrize("case", CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_map_create_with_btf_as_kernel(clients, case) -> None:
    _, map_type, ks, vs, key, value, flags = case

    def create(cl: Client) -> str:
        btf = cl.btf_load(BLOB)
        cl.map_create(map_type, ks, vs, 4, btf, IDS.get(key, 0) if key else 0,
                      IDS[value] if isinstance(value, str) else value, flags)
        return "ok"
    ours, theirs = both(clients, create)
    assert ours == theirs


@pytest.mark.parametrize("btf_fd,key,value", [(-1, "int", "val"), (-1, None, None),
                                              (0, "int", "val"), ("map", "int", "val")],
                         ids=["closed-fd", "closed-fd-no-ids", "fd-0", "map-fd"])
def test_map_create_btf_fd_as_kernel(clients, btf_fd, key, value) -> None:
    """The kernel reads btf_fd only when a type id is given."""
    def create(cl: Client) -> str:
        fd = btf_fd
        if fd == "map":
            fd = cl.map_create(H, 4, 8, 1)
        elif fd == -1:
            fd = 1000       # no such fd in either back end
        cl.map_create(H, 4, 8, 4, fd, IDS[key] if key else 0, IDS[value] if value else 0)
        return "ok"
    ours, theirs = both(clients, create)
    assert ours == theirs


@pytest.mark.parametrize("desc", ["two-locks", "misaligned-lock"])
def test_btf_load_refuses_bad_lock_objects_as_kernel(clients, desc) -> None:
    """btf_parse_struct_metas: a struct holding a bpf_spin_lock must be a valid object."""
    b = BTFBuilder()
    i = b.int_("int", 4)
    lk = b.struct_("bpf_spin_lock", 4, [("val", i, 0)])
    if desc == "two-locks":
        b.struct_("two", 12, [("a", lk, 0), ("cnt", i, 4), ("b", lk, 8)])
    else:
        c = b.int_("char", 1)
        b.struct_("mis", 8, [("c", c, 0), ("lock", lk, 1)])
    ours, theirs = both(clients, lambda cl: cl.btf_load(b.blob()) and "ok")
    assert ours == theirs
    assert ours != "ok"


def test_map_info_reports_btf_ids(clients) -> None:
    def info(cl: Client) -> tuple[bool, int, int]:
        btf = cl.btf_load(BLOB)
        m = cl.map_create(H, 4, 8, 4, btf, IDS["int"], IDS["val"])
        plain = cl.map_create(H, 4, 8, 4)
        i, p = cl.map_info(m), cl.map_info(plain)
        return (i.btf_id != 0, i.btf_key_type_id, i.btf_value_type_id,
                p.btf_id, p.btf_key_type_id, p.btf_value_type_id)
    ours, theirs = both(clients, info)
    assert ours == theirs == (True, IDS["int"], IDS["val"], 0, 0, 0)


def test_parse_fields_records_the_lock() -> None:
    btf = BTF(BLOB)
    rec = parse_fields(btf, IDS["big"], 32)
    assert rec is not None and rec.spin_lock_off == 8
    assert parse_fields(btf, IDS["nested"], 12).spin_lock_off == 8
    assert parse_fields(btf, IDS["plain"], 8) is None
    assert [f.kind for f in parse_fields(btf, IDS["tval"], 24).fields] == [TIMER]
    assert parse_fields(btf, IDS["val_t"], 8).find(SPIN_LOCK).offset == 4


# --- the verifier -------------------------------------------------------------------------

LOOKUP = """
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r2 = r10
    r2 += -4
    r1 = MAP ll
    call 1
"""
LOCKED = LOOKUP + """
    if r0 == 0 goto out
    r6 = r0
    r1 = r0
    r1 += 4
    call 93
    {body}
    r1 = r6
    r1 += 4
    call 94
out:
    r0 = 0
    exit
"""
INC = "r1 = *(u32 *)(r6 + 0); r1 += 1; *(u32 *)(r6 + 0) = r1"

# (id, program, map: "lock" (hash, lock at 4), "alock" (array), "big" (lock at 8),
#  "plain" (BTF, no lock), "nobtf"; expected: None = accepted, else the error line)
VERIFIER_CASES = [
    ("ok/hash", LOCKED.format(body=INC), "lock", None),
    ("ok/array", LOCKED.format(body=INC), "alock", None),
    ("ok/lock-at-8", LOCKED.replace("r1 += 4", "r1 += 8").format(body=INC), "big", None),
    ("ok/empty-section", LOCKED.format(body=""), "lock", None),
    ("ok/atomic-next-to-lock", LOCKED.format(body="r1 = 1; lock *(u32 *)(r6 + 0) += r1"),
     "lock", None),
    ("lock/wrong-offset", LOCKED.replace("r1 += 4", "r1 += 0", 1).format(body=INC), "lock",
     "off 0 doesn't point to 'struct bpf_spin_lock' that is at 4"),
    ("lock/map-without-btf", LOCKED.format(body=INC), "nobtf",
     "map 'nobtf' has to have BTF in order to use bpf_spin_lock"),
    ("lock/map-without-lock", LOCKED.format(body=INC), "plain",
     "map 'plain' has no valid bpf_spin_lock"),
    ("lock/missing-unlock", LOCKED.replace("call 94", "r0 = 0").format(body=INC), "lock",
     "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region"),
    ("lock/unlock-without-lock", LOCKED.replace("call 93", "r0 = 0").format(body=INC),
     "lock",
     "bpf_spin_unlock without taking a lock"),
    ("lock/helper-while-locked", LOCKED.format(body="call 5"), "lock",
     "function calls are not allowed while holding a lock"),
    ("lock/tail-call-while-locked",
     LOCKED.format(body="r1 = r6; r2 = MAP ll; r3 = 0; call 12"), "lock",
     "function calls are not allowed while holding a lock"),
    ("lock/lock-twice", LOCKED.format(body="r1 = r6; r1 += 4; call 93"), "lock",
     "function calls are not allowed while holding a lock"),
    ("lock/load-from-lock", LOCKED.format(body="r1 = *(u32 *)(r6 + 4)"), "lock",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/store-to-lock", LOCKED.format(body="r1 = 0; *(u32 *)(r6 + 4) = r1"), "lock",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/wide-load-over-lock", LOCKED.format(body="r1 = *(u64 *)(r6 + 0)"), "lock",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/store-imm-to-lock", LOCKED.format(body="*(u8 *)(r6 + 7) = 1"), "lock",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/atomic-on-lock", LOCKED.format(body="r1 = 1; lock *(u32 *)(r6 + 4) += r1"),
     "lock",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/load-outside-locked-region", LOOKUP + """
        if r0 == 0 goto out
        r0 = *(u32 *)(r0 + 4)
    out:
        r0 = 0
        exit""", "lock",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/value-as-helper-arg", LOOKUP + """
        if r0 == 0 goto out
        r3 = r0
        r2 = r10
        r2 += -4
        r1 = MAP ll
        r4 = 0
        call 2
    out:
        r0 = 0
        exit""", "big",
     "bpf_spin_lock cannot be accessed directly by load/store"),
    ("lock/stack-pointer", "r1 = r10; r1 += -8; call 93; r0 = 0; exit", "lock",
     "R1 type=fp expected=map_value, ptr_"),
    ("lock/maybe-null", LOOKUP + "r1 = r0; call 93; r0 = 0; exit", "lock",
     "R1 type=map_value_or_null expected=map_value, ptr_"),
    ("lock/variable-offset", LOOKUP + """
        if r0 == 0 goto out
        r6 = r0
        r1 = *(u32 *)(r6 + 0)
        r1 &= 4
        r6 += r1
        r1 = r6
        call 93
    out:
        r0 = 0
        exit""", "lock",
     "R1 doesn't have constant offset. bpf_spin_lock has to be at the constant offset"),
    ("lock/unlock-other-value", LOOKUP + """
        if r0 == 0 goto out
        r7 = r0
        r1 = 1
        *(u32 *)(r10 - 4) = r1
        r2 = r10
        r2 += -4
        r1 = MAP ll
        call 1
        if r0 == 0 goto out
        r6 = r0
        r1 = r7
        r1 += 4
        call 93
        r1 = r6
        r1 += 4
        call 94
    out:
        r0 = 0
        exit""", "lock",
     "bpf_spin_unlock of different lock"),
    ("lock/unlock-on-one-branch-only", LOCKED.format(
        body="r1 = *(u32 *)(r6 + 0); if r1 == 0 goto skip; r1 = r6; r1 += 4; call 94; "
             "r0 = 0; exit; skip: r0 = 0").replace("call 94\nout", "r0 = 0\nout"),
     "lock",
     "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region"),
    ("lock/bpf2bpf-call-while-locked", LOCKED.format(body="call sub") + """
    sub:
        r0 = 0
        exit""", "lock", None),
    ("lock/unlock-in-subprog", LOOKUP + """
        if r0 == 0 goto out
        r6 = r0
        r1 = r0
        r1 += 4
        call 93
        r1 = r6
        call sub
    out:
        r0 = 0
        exit
    sub:
        r1 += 4
        call 94
        r0 = 0
        exit""", "lock", None),
    ("lock/ld-abs-while-locked",
     "r9 = r1\n" + LOCKED.format(body="r6 = r9; r0 = *(u8 *)skb[0]; r6 = r8")
     .replace("r6 = r0\n", "r6 = r0\n    r8 = r0\n"), "lock",
     "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region"),
    ("lock/lock-in-subprog-unlock-in-main", LOOKUP + """
        if r0 == 0 goto out
        r6 = r0
        r1 = r0
        call sub
        r1 = r6
        r1 += 4
        call 94
    out:
        r0 = 0
        exit
    sub:
        r1 += 4
        call 93
        r0 = 0
        exit""", "lock", None),
    ("lock/pruned-branches", LOCKED.format(
        body="r1 = *(u32 *)(r6 + 0); if r1 > 7 goto big; r1 += 1; goto done; big: r1 = 0; "
             "done: *(u32 *)(r6 + 0) = r1"), "lock", None),
    ("timer/load-from-timer", LOOKUP + "if r0 == 0 goto out; r1 = *(u64 *)(r0 + 8); "
     "out: r0 = 0; exit", "timer", "bpf_timer cannot be accessed directly by load/store"),
    ("timer/store-past-timer", LOOKUP + "if r0 == 0 goto out; r1 = 1; *(u8 *)(r0 + 23) = r1; "
     "out: r0 = 0; exit", "timer", "bpf_timer cannot be accessed directly by load/store"),
    ("timer/load-next-to-timer", LOOKUP + "if r0 == 0 goto out; r1 = *(u64 *)(r0 + 0); "
     "out: r0 = 0; exit", "timer", None),
    # ported from the kernel's tools/testing/selftests/bpf/progs/verifier_spin_lock.c
    # (map_spin_lock there is an array of struct val, as "alock" here)
    ("verifier_spin_lock.c: test3 direct ld/st", LOCKED.format(body="r0 = *(u32 *)(r6 + 1)"),
     "alock", "bpf_spin_lock cannot be accessed directly by load/store"),
    ("verifier_spin_lock.c: test4 direct ld/st", LOCKED.format(body="r0 = *(u16 *)(r6 + 3)"),
     "alock", "bpf_spin_lock cannot be accessed directly by load/store"),
    ("verifier_spin_lock.c: test7 unlock without lock", LOOKUP + """
        if r0 != 0 goto l0
        exit
    l0:
        r6 = r0
        r1 = r0
        r1 += 4
        if r1 != 0 goto l1
        call 93
    l1:
        r1 = r6
        r1 += 4
        r0 = *(u32 *)(r6 + 0)
        call 94
        r0 = 0
        exit""", "alock", "bpf_spin_unlock without taking a lock"),
    ("verifier_spin_lock.c: regsafe compare reg->id for map value", """
        r6 = *(u32 *)(r1 + 8)
        r1 = MAP ll
        r9 = r1
        r2 = 0
        *(u32 *)(r10 - 4) = r2
        r2 = r10
        r2 += -4
        call 1
        if r0 != 0 goto l0
        exit
    l0:
        r7 = r0
        r1 = r9
        r2 = r10
        r2 += -4
        call 1
        if r0 != 0 goto l1
        exit
    l1:
        r8 = r0
        r1 = r7
        r1 += 4
        call 93
        if r6 == 0 goto l2
        goto l3
    l2:
        r7 = r8
    l3:
        r1 = r7
        r1 += 4
        call 94
        r0 = 0
        exit""", "lock", "bpf_spin_unlock of different lock"),
    ("verifier_spin_lock.c: regsafe() check_ids() similar id mappings", """
        r1 = 0
        *(u32 *)(r10 - 4) = r1
        r2 = r10
        r2 += -4
        r1 = MAP ll
        call 1
        if r0 == 0 goto l0
        r9 = r0
        r2 = r10
        r2 += -4
        r1 = MAP ll
        call 1
        if r0 == 0 goto l1
        r8 = r0
        call 5
        r7 = r0
        call 5
        r6 = r0
        if r6 > r7 goto l2
        r1 = r8
        r1 += 4
        call 93
        r9 = r8
        goto l3
    l2:
        r1 = r9
        r1 += 4
        call 93
    l3:
        r1 = r9
        r1 += 4
        call 94
    l0:
        r0 = 0
    l1:
        exit""", "lock", None),
]


def _program(text: str, map_fd: int) -> list[Instruction]:
    """Assemble ``text`` (llvm syntax) with ``MAP ll`` loading the map and ``call sub``
    calling the subprogram that follows the ``sub:`` line."""
    main, _, sub = text.partition("sub:")
    code = []
    for part in (main, sub):
        if part.strip():
            part = part.replace(";", "\n").replace("MAP ll", f"{0x5EED} ll")
            code.append(assemble(part.replace("call sub", f"call {0x7777}"), "llvm"))
    insns: list[Instruction] = []
    for part_insns in code:
        base = insns[-1].pc + insns[-1].slots if insns else 0
        insns += [Instruction(i.code, i.dst, i.src, i.off, i.imm, i.pc + base)
                  for i in part_insns]
    start = code[0][-1].pc + code[0][-1].slots
    out = []
    for i in insns:
        if i.slots == 2 and i.imm == 0x5EED:
            i = Instruction(i.code, i.dst, isa.BPF_PSEUDO_MAP_FD, i.off, map_fd, i.pc)
        elif i.code == 0x85 and i.imm == 0x7777:
            i = Instruction(i.code, i.dst, isa.BPF_PSEUDO_CALL, i.off, start - i.pc - 1, i.pc)
        out.append(i)
    return out


def _load_case(cl: Client, text: str, which: str, prog_type: int = TC
               ) -> tuple[bool, int, str, str]:
    btf = cl.btf_load(BLOB)
    if which == "nobtf":
        fd = cl.map_create(H, 4, 8, 4, name="nobtf")
    elif which == "plain":
        fd = cl.map_create(H, 4, 8, 4, btf, IDS["int"], IDS["plain"], name="plain")
    elif which == "big":
        fd = cl.map_create(H, 4, 32, 4, btf, IDS["int"], IDS["big"], name="big")
    elif which == "timer":
        fd = cl.map_create(H, 4, 24, 4, btf, IDS["int"], IDS["tval"], name="timer")
    else:
        fd = cl.map_create(A if which == "alock" else H, 4, 8, 4, btf, IDS["int"],
                           IDS["val"], name=which)
    prog, err, log = cl.prog_load(_program(text, fd), prog_type)
    return prog is not None, err, error_line(log) if prog is None else "", log


@pytest.mark.parametrize("case", VERIFIER_CASES, ids=[c[0] for c in VERIFIER_CASES])
def test_verifier_spin_lock_as_kernel(clients, case) -> None:
    _, text, which, expected = case
    ours, theirs = (_load_case(cl, text, which) for cl in clients)
    assert ours[:3] == theirs[:3], f"\n--- pyebpf:\n{ours[3]}\n--- kernel:\n{theirs[3]}"
    if expected is not None:
        assert ours[2] == expected


@pytest.mark.parametrize("prog_type,which", [
    (SOCKET, "lock"), (int(PT.BPF_PROG_TYPE_KPROBE), "lock"), (int(PT.BPF_PROG_TYPE_XDP), "lock"),
    (int(PT.BPF_PROG_TYPE_SCHED_ACT), "alock"), (SOCKET, "plain"),
    (int(PT.BPF_PROG_TYPE_TRACEPOINT), "timer"), (SOCKET, "timer")],
    ids=["socket-filter", "kprobe", "xdp", "tc-action", "socket-filter-no-lock",
         "tracepoint-timer", "socket-filter-timer"])
def test_program_types_using_lock_maps_as_kernel(clients, prog_type, which) -> None:
    """check_map_prog_compatibility: socket filters and tracing programs may not use a map
    with a bpf_spin_lock at all (refused before any instruction is checked)."""
    text = LOCKED.format(body=INC) if which not in ("plain", "timer") \
        else LOOKUP + "r0 = 0; exit"
    ours, theirs = (_load_case(cl, text, which, prog_type) for cl in clients)
    assert ours[:3] == theirs[:3], f"\n--- pyebpf:\n{ours[3]}\n--- kernel:\n{theirs[3]}"


@pytest.mark.parametrize("case", ["lock/missing-unlock", "lock/unlock-other-value",
                                  "lock/load-from-lock", "lock/unlock-on-one-branch-only",
                                  "verifier_spin_lock.c: regsafe compare reg->id for map value",
                                  "verifier_spin_lock.c: test7 unlock without lock"])
def test_verifier_log_with_lock_held_as_kernel(clients, case) -> None:
    """The whole level-1 log (``refs=`` lists the held lock's id, the value keeps its id
    after the NULL check) is the kernel's."""
    text, which = next((c[1], c[2]) for c in VERIFIER_CASES if c[0] == case)
    ours, theirs = (_load_case(cl, text, which) for cl in clients)
    # a map pointer's value is the kernel's address of the map, pyebpf's fd: not compared
    address = re.compile(r"(r\d+ = )0x[0-9a-f]+ *;")
    assert address.sub(r"\1MAP ;", ours[3]) == address.sub(r"\1MAP ;", theirs[3])


# --- the runtime ---------------------------------------------------------------------------

def test_locked_increment_runs_as_kernel(clients) -> None:
    """A program taking the lock around an increment, run with PROG_TEST_RUN; the map
    afterwards as user space reads it (the lock field always reads as zeros)."""
    def run(cl: Client) -> tuple:
        btf = cl.btf_load(BLOB)
        fd = cl.map_create(H, 4, 8, 4, btf, IDS["int"], IDS["val"], name="lock")
        # user space writes garbage where the lock is: copies leave the lock alone
        cl.update(fd, struct.pack("<I", 0), struct.pack("<iI", 40, 0xFFFFFFFF))
        prog, _err, log = cl.prog_load(_program(LOCKED.format(body=INC), fd))
        assert prog is not None, log
        rets = [cl.test_run(prog, bytes(64)) for _ in range(3)]
        return rets, cl.lookup(fd, struct.pack("<I", 0), 8), \
            cl.lookup(fd, struct.pack("<I", 0), 8, uapi.BPF_F_LOCK)
    ours, theirs = both(clients, run)
    assert ours == theirs
    assert ours[1] == struct.pack("<iI", 43, 0)


@pytest.mark.parametrize("map_type", [H, A], ids=["hash", "array"])
def test_f_lock_update_and_lookup_as_kernel(clients, map_type) -> None:
    def ops(cl: Client) -> list:
        btf = cl.btf_load(BLOB)
        fd = cl.map_create(map_type, 4, 8, 4, btf, IDS["int"], IDS["val"])
        plain = cl.map_create(map_type, 4, 8, 4)
        key = struct.pack("<I", 1)
        out: list = []
        for f, (m, flags) in enumerate([(fd, uapi.BPF_F_LOCK), (fd, 0),
                                        (fd, uapi.BPF_F_LOCK | uapi.BPF_EXIST),
                                        (fd, uapi.BPF_F_LOCK | uapi.BPF_NOEXIST),
                                        (fd, uapi.BPF_F_LOCK | 8), (plain, uapi.BPF_F_LOCK)]):
            for step in ("update", "lookup"):
                try:
                    if step == "update":
                        cl.update(m, key, struct.pack("<iI", 7 + f, 0x12345678), flags)
                        out.append("ok")
                    else:
                        out.append(cl.lookup(m, key, 8, flags & uapi.BPF_F_LOCK))
                except BPFError as e:
                    out.append(errno.errorcode[e.errno])
        return out
    ours, theirs = both(clients, ops)
    assert ours == theirs


# --- a clang object (tests/data/elf/spin_lock.bpf.c) ----------------------------------------

ELF = __import__("pathlib").Path(__file__).parent / "data" / "elf" / "spin_lock.o"


def test_elf_maps_carry_btf_and_programs_run_as_kernel(kernel) -> None:
    """load_elf + CollectionSpec.load pass the maps' BTF, so clang's ``struct val`` with
    its ``struct bpf_spin_lock`` gets the lock; the program runs as in the kernel."""
    from pyebpf.elf import load_elf, load_into_kernel

    spec = load_elf(ELF)
    zero = struct.pack("<i", 0)
    start = struct.pack("<iIq", 5, 0, 100)
    progs = ["count", "global_lock"]
    with spec.load(Runtime(), programs=progs) as ours, load_into_kernel(spec, progs) as theirs:
        ours.maps["counters"][zero] = start
        theirs.maps["counters"].update(zero, start)
        got = [ours.programs["count"].test_run(data=bytes(60 + i)).retval for i in range(3)]
        want = [theirs.programs["count"].test_run(bytes(60 + i)).retval for i in range(3)]
        assert got == want == [6, 7, 8]
        for name in ("counters", "totals"):
            assert ours.maps[name][zero] == theirs.maps[name].lookup(zero)
        assert ours.maps["counters"][zero] == struct.pack("<iIq", 8, 0, 100 + 60 + 61 + 62)
        # a lock in global data (a DATASEC value, the pointer from LD_IMM64 has no id)
        got = [ours.programs["global_lock"].test_run(data=bytes(70)).retval for _ in range(2)]
        want = [theirs.programs["global_lock"].test_run(bytes(70)).retval for _ in range(2)]
        assert got == want == [70, 140]
        info = ours.maps["counters"]._info(uapi.BpfMapInfo)
        assert info.btf_id and info.btf_value_type_id == spec.maps["counters"].value_type_id


def test_elf_program_holding_lock_at_exit_refused_as_kernel(kernel) -> None:
    from pyebpf.elf import load_elf, load_into_kernel
    from pyebpf.errors import VerifierError

    spec = load_elf(ELF)
    with pytest.raises(VerifierError) as ours:
        spec.load(Runtime(), programs=["forget_unlock"], log_level=1)
    with pytest.raises(VerifierError) as theirs:
        load_into_kernel(spec, ["forget_unlock"])
    assert ours.value.errno == theirs.value.errno == errno.EINVAL
    line = "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region"
    assert error_line(ours.value.log) == error_line(theirs.value.log) == line


@pytest.mark.parametrize("map_type", [H, A], ids=["hash", "array"])
@pytest.mark.parametrize("flags", [0, uapi.BPF_F_LOCK, uapi.BPF_F_LOCK | uapi.BPF_EXIST,
                                   uapi.BPF_F_LOCK | 8],
                         ids=["any", "f-lock", "f-lock-exist", "f-lock-bad"])
def test_program_update_leaves_lock_alone_as_kernel(clients, map_type, flags) -> None:
    """bpf_map_update_elem from a program (flags, BPF_F_LOCK) with garbage where the lock
    is: the element's lock stays as it was, so the locking program still runs."""
    update = f"""
        r1 = 0
        *(u32 *)(r10 - 4) = r1
        r1 = 9
        *(u32 *)(r10 - 16) = r1
        r1 = -1
        *(u32 *)(r10 - 12) = r1
        r2 = r10
        r2 += -4
        r3 = r10
        r3 += -16
        r1 = MAP ll
        r4 = {flags}
        call 2
        exit"""

    def run(cl: Client) -> tuple:
        btf = cl.btf_load(BLOB)
        fd = cl.map_create(map_type, 4, 8, 4, btf, IDS["int"], IDS["val"], name="lock")
        upd, _, log = cl.prog_load(_program(update, fd))
        assert upd is not None, log
        inc, _, log = cl.prog_load(_program(LOCKED.format(body=INC), fd))
        assert inc is not None, log
        rets = [cl.test_run(upd, bytes(64)), cl.test_run(upd, bytes(64)),
                cl.test_run(inc, bytes(64))]
        try:
            value = cl.lookup(fd, struct.pack("<I", 0), 8)
        except BPFError as e:
            value = errno.errorcode[e.errno]
        return rets, value
    ours, theirs = both(clients, run)
    assert ours == theirs


def test_btf_load_needs_cap_bpf() -> None:
    """BPF_BTF_LOAD is for CAP_BPF (bpf_token_capable): an unprivileged runtime gets EPERM,
    so its maps never carry BTF or a lock."""
    rt = Runtime(privileged=False)
    client = Client(lambda cmd, a: pyebpf_bpf(cmd, a, runtime=rt), rt.close)
    with pytest.raises(BPFError) as exc:
        client.btf_load(BLOB)
    assert exc.value.errno == errno.EPERM


# --- seeded random lock programs, against the kernel ----------------------------------------

def lock_program(seed: int) -> str:
    """A random program around one or two values with a lock (``lock`` map: lock at 4):
    lock/unlock with right and wrong registers and offsets, loads and stores near and on
    the lock, helper and bpf-to-bpf calls, branches that skip an operation.  Most are
    refused, for many different reasons; some are correct and are run too."""
    import random

    rnd = random.Random(seed)
    lines = [LOOKUP, "if r0 == 0 goto out", "r6 = r0"]
    two = rnd.random() < 0.4
    if two:
        lines += ["r1 = 1", "*(u32 *)(r10 - 4) = r1", "r2 = r10", "r2 += -4", "r1 = MAP ll",
                  "call 1", "if r0 == 0 goto out", "r7 = r0"]
    regs = ["r6", "r7"] if two else ["r6"]
    sub = None
    labels = 0
    pending: list[str] = []
    for _ in range(rnd.randint(2, 7)):
        reg = rnd.choice(regs)
        kind = rnd.choices(["lock", "unlock", "pair", "load", "store", "call", "sub", "skip"],
                           [4, 4, 3, 3, 3, 1, 1, 2])[0]
        off = rnd.choice([4, 4, 4, 0, 8])
        op: list[str]
        if kind in ("lock", "unlock"):
            op = [f"r1 = {reg}", f"r1 += {off}", f"call {93 if kind == 'lock' else 94}"]
        elif kind == "pair":
            op = [f"r1 = {reg}", "r1 += 4", "call 93", f"r1 = *(u32 *)({reg} + 0)",
                  "r1 += 1", f"*(u32 *)({reg} + 0) = r1", f"r1 = {reg}", "r1 += 4", "call 94"]
        elif kind == "load":
            size, at = rnd.choice([(4, 0), (4, 4), (8, 0), (2, 2), (1, 5), (1, 3)])
            op = [f"r1 = *(u{size * 8} *)({reg} + {at})"]
        elif kind == "store":
            size, at = rnd.choice([(4, 0), (4, 4), (2, 6), (1, 0)])
            op = ["r1 = 3", f"*(u{size * 8} *)({reg} + {at}) = r1"]
        elif kind == "call":
            op = [f"call {rnd.choice([5, 7])}"]
        elif kind == "sub":
            sub = sub or rnd.choice(["r0 = 0", "r1 += 4; call 94; r0 = 0",
                                     "r1 += 4; call 93; r0 = 0"])
            op = [f"r1 = {reg}", "call sub"]
        else:
            labels += 1
            op = [f"r1 = *(u32 *)({reg} + 0)", f"if r1 > 5 goto l{labels}"]
            pending.append(f"l{labels}:")
        lines += op
        if kind != "skip" and pending:
            lines += pending
            pending = []
    lines += [*pending, "out:", "r0 = 0", "exit"]
    text = "\n".join(lines)
    if sub is not None:
        text += "\nsub:\n" + sub + "\nexit"
    return text


LOCK_SEEDS = range(int(os.environ.get("PYEBPF_LOCK_SEEDS", "2000" if os.environ.get(
    "PYEBPF_LONG") else "200")))


def test_random_lock_programs_as_kernel(clients) -> None:
    """Verdicts and first error lines on seeded random lock programs; accepted ones run
    (PROG_TEST_RUN) with the same return values and map contents."""
    results = []
    for cl in clients:
        btf = cl.btf_load(BLOB)
        fd = cl.map_create(H, 4, 8, 4, btf, IDS["int"], IDS["val"], name="lock")
        for k in (0, 1):
            cl.update(fd, struct.pack("<I", k), struct.pack("<iI", 10 * k, 0))
        out = []
        for seed in LOCK_SEEDS:
            prog, err, log = cl.prog_load(_program(lock_program(seed), fd))
            run = None
            if prog is not None:
                run = cl.test_run(prog, bytes(64))
                cl._close(prog)
                cl.fds.remove(prog)
            out.append((prog is not None, err, error_line(log) if prog is None else "", run))
        out.append([cl.lookup(fd, struct.pack("<I", k), 8) for k in (0, 1)])
        results.append(out)
    ours, theirs = results
    bad = [(seed, o, t) for seed, o, t in zip(LOCK_SEEDS, ours[:-1], theirs[:-1], strict=True)
           if o != t]
    accepted = sum(1 for t in theirs[:-1] if t[0])
    reasons = {t[2] for t in theirs[:-1] if not t[0]}
    assert not bad, bad[:5]
    assert ours[-1] == theirs[-1]
    # the generator is useful only if it covers both verdicts and many reasons
    assert 0 < accepted < len(LOCK_SEEDS) and len(reasons) >= 5, (accepted, reasons)


@pytest.mark.parametrize("map_type", [H, A], ids=["hash", "array"])
@pytest.mark.parametrize("elem_flags", [0, uapi.BPF_F_LOCK], ids=["plain", "f-lock"])
def test_batch_ops_with_f_lock_as_kernel(clients, map_type, elem_flags) -> None:
    """UPDATE_BATCH / LOOKUP_BATCH with BPF_F_LOCK in elem_flags: allowed only where the
    value has a lock; the lock field reads as zeros."""
    def batch(cl: Client) -> list:
        btf = cl.btf_load(BLOB)
        out: list = []
        for with_lock in (True, False):
            fd = cl.map_create(map_type, 4, 8, 4, btf, IDS["int"], IDS["val"]) if with_lock \
                else cl.map_create(map_type, 4, 8, 4)
            keys = ctypes.create_string_buffer(struct.pack("<4I", 0, 1, 2, 3), 16)
            values = ctypes.create_string_buffer(
                b"".join(struct.pack("<iI", 5 + i, 0xAAAA0000 + i) for i in range(4)), 32)
            a = uapi.BpfAttr()
            a.batch.map_fd, a.batch.keys, a.batch.values = fd, ctypes.addressof(keys), \
                ctypes.addressof(values)
            a.batch.count, a.batch.elem_flags = 4, elem_flags
            for cmd in (C.BPF_MAP_UPDATE_BATCH, C.BPF_MAP_LOOKUP_BATCH):
                if cmd == C.BPF_MAP_LOOKUP_BATCH:
                    ctypes.memset(values, 0, 32)
                    ctypes.memset(keys, 0, 16)
                    cursor = ctypes.create_string_buffer(8)
                    a.batch.out_batch, a.batch.count = ctypes.addressof(cursor), 4
                try:
                    cl.call(cmd, a)
                    out.append("ok")
                except BPFError as e:
                    out.append(errno.errorcode[e.errno])
                out.append(a.batch.count)
            # hash batches come in the map's own order: compare the pairs as a set
            got = {keys.raw[4 * i:4 * i + 4]: values.raw[8 * i:8 * i + 8] for i in range(4)}
            out.append(sorted(got.items()))
        return out
    ours, theirs = both(clients, batch)
    assert ours == theirs


# --- maps from Python: BTF from ctypes types ------------------------------------------------

class Val(ctypes.Structure):
    _fields_ = [("cnt", ctypes.c_int), ("lock", uapi.BpfSpinLock), ("sum", ctypes.c_uint64)]


def test_btf_from_ctypes_is_accepted_by_kernel(kernel) -> None:
    """BTFBuilder.add_ctypes writes BTF the kernel's BTF_LOAD and map_check_btf accept,
    finding the lock where pyebpf finds it."""
    from pyebpf.btf import BTFBuilder

    b = BTFBuilder()
    key, value = b.add_ctypes(ctypes.c_uint32), b.add_ctypes(Val)
    blob = b.blob()
    assert parse_fields(BTF(blob), value, ctypes.sizeof(Val)).spin_lock_off == 4
    theirs = Client(kernel.sys_bpf, os.close)
    try:
        btf = theirs.btf_load(blob)
        fd = theirs.map_create(H, 4, 16, 2, btf, key, value, name="lock")
        prog, _, log = theirs.prog_load(_program(LOCKED.format(body=INC), fd))
        assert prog is not None, log
    finally:
        theirs.close_all()


def test_map_with_lock_from_ctypes_value_type() -> None:
    """objects.Map: a ctypes value type with a BpfSpinLock makes a map with BTF, which
    programs lock and user space updates with BPF_F_LOCK."""
    from pyebpf.objects import Map, Program

    rt = Runtime()
    with Map(H, key_type=ctypes.c_uint32, value_type=Val, max_entries=2, name="lock",
             runtime=rt) as m, Map(H, key_type=ctypes.c_uint32, value_type=Val, btf=False,
                                   runtime=rt) as plain:
        info = m._info(uapi.BpfMapInfo)
        assert info.btf_id and info.btf_value_type_id and not plain._info(
            uapi.BpfMapInfo).btf_id
        m.update(0, Val(cnt=1, sum=5), uapi.BPF_F_LOCK)
        with pytest.raises(BPFError) as exc:
            plain.update(0, Val(cnt=1), uapi.BPF_F_LOCK)
        assert exc.value.errno == errno.EINVAL
        with Program(_program(LOCKED.format(body=INC), m.fd), TC, runtime=rt) as p:
            for _ in range(3):
                p.test_run(data=bytes(64))
        v = m[0]
        assert (v.cnt, v.lock.val, v.sum) == (4, 0, 5)


def test_cli_verify_sees_the_maps_btf(capsys) -> None:
    """``pyebpf verify`` gives the maps the BTF the loader would: the lock is found."""
    from pyebpf.cli import main

    code = main(["verify", str(ELF)])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "count: accepted" in out and "global_lock: accepted" in out
    assert ("forget_unlock: rejected: BPF_EXIT instruction in main prog cannot be used "
            "inside bpf_spin_lock-ed region") in out
    assert code != 0


@pytest.mark.parametrize("map_type", [H, A], ids=["hash", "array"])
@pytest.mark.parametrize("with_lock", [True, False], ids=["lock", "no-lock"])
def test_lookup_and_delete_with_f_lock_as_kernel(clients, map_type, with_lock) -> None:
    def op(cl: Client) -> list:
        btf = cl.btf_load(BLOB)
        fd = cl.map_create(map_type, 4, 8, 4, btf, IDS["int"], IDS["val"]) if with_lock \
            else cl.map_create(map_type, 4, 8, 4)
        key = ctypes.create_string_buffer(struct.pack("<I", 2), 4)
        cl.update(fd, key.raw, struct.pack("<iI", 77, 0x5555))
        out: list = []
        for flags in (uapi.BPF_F_LOCK, 0, uapi.BPF_F_LOCK):
            value = ctypes.create_string_buffer(8)
            a = uapi.BpfAttr()
            a.map_fd, a.key, a.value = fd, ctypes.addressof(key), ctypes.addressof(value)
            a.flags = flags
            try:
                cl.call(C.BPF_MAP_LOOKUP_AND_DELETE_ELEM, a)
                out.append(value.raw)
            except BPFError as e:
                out.append(e.errno)
        return out
    ours, theirs = both(clients, op)
    assert ours == theirs


@pytest.mark.parametrize("n", [2, 11, 12, 1 << 16], ids=["2", "11", "12", "65536"])
def test_arrays_of_structs_with_a_lock_as_kernel(clients, n) -> None:
    """A value that is an array of structs holding a lock: the kernel finds the fields of
    each element (at most 11 special fields in a value, E2BIG past that)."""
    b = BTFBuilder()
    i = b.int_("int", 4)
    lk = b.struct_("bpf_spin_lock", 4, [("val", i, 0)])
    val = b.struct_("val", 8, [("cnt", i, 0), ("lock", lk, 4)])
    outer = b.struct_("outer", 8 * n, [("v", b.array(val, i, n), 0)])
    blob = b.blob()

    def create(cl: Client) -> str:
        cl.map_create(H, 4, 8 * n, 1, cl.btf_load(blob), i, outer)
        return "ok"
    ours, theirs = both(clients, create)
    assert ours == theirs


def test_hostile_nesting_is_fast() -> None:
    """Structs of structs doubling 24 times (16M leaves) and a 1M-element array of
    them: the field search walks each type once."""
    import time

    b = BTFBuilder()
    t = b.int_("int", 4)
    size = 4
    for k in range(24):
        t = b.struct_(f"s{k}", size * 2, [("a", t, 0), ("b", t, size)])
        size *= 2
    top = b.struct_("top", 4 * size, [("v", b.array(t, b.int_("u", 4), 4), 0)])
    start = time.perf_counter()
    assert parse_fields(BTF(b.blob()), top, 4 * size) is None
    assert time.perf_counter() - start < 1.0


def _layouts() -> tuple[bytes, dict[str, tuple[int, int]]]:
    """Odd value layouts: (value type id, value size) by name."""
    b = BTFBuilder()
    i, l8, c = b.int_("int", 4), b.int_("long", 8), b.int_("char", 1)
    lk = b.struct_("bpf_spin_lock", 4, [("val", i, 0)])
    tm = b.struct_("bpf_timer", 16, [("a", l8, 0), ("b", l8, 8)])
    val = b.struct_("val", 8, [("cnt", i, 0), ("lock", lk, 4)])
    layouts = {
        "int": (i, 4),
        # two locks at two nesting levels: the last one found is the lock
        "nest2": (b.struct_("nest2", 16, [("x", i, 0), ("in", val, 4), ("lk", lk, 12)]), 16),
        # an array of structs holding a lock: btf_repeat_fields refuses, no fields at all
        "arr2": (b.struct_("arr2", 16, [("v", b.array(val, i, 2), 0)]), 16),
        "arr1": (b.struct_("arr1", 8, [("v", b.array(val, i, 1), 0)]), 8),
        # two timers in one struct: E2BIG from the search, so no fields either
        "twot": (b.struct_("twot", 32, [("a", tm, 0), ("b", tm, 16)]), 32),
        # a lock at an odd offset inside a packed struct
        "packed": (b.struct_("packed", 12, [("c", c, 0), ("in", val, 1), ("d", c, 9)]), 12),
    }
    return b.blob(), layouts


LAYOUT_BLOB, LAYOUTS = _layouts()
LAYOUT_CASES = [
    ("nest2/lock-at-12", "nest2", LOCKED.replace("r1 += 4", "r1 += 12").format(body="")),
    ("nest2/lock-at-8", "nest2", LOCKED.replace("r1 += 4", "r1 += 8").format(body="")),
    ("nest2/load-inner-lock", "nest2", LOOKUP + "if r0 == 0 goto out; r1 = *(u32 *)(r0 + 8); "
     "out: r0 = 0; exit"),
    ("arr2/lock", "arr2", LOCKED.format(body="")),
    ("arr2/load-lock-bytes", "arr2", LOOKUP + "if r0 == 0 goto out; r1 = *(u32 *)(r0 + 4); "
     "out: r0 = 0; exit"),
    ("arr1/lock", "arr1", LOCKED.format(body="")),
    ("twot/load-timer-bytes", "twot", LOOKUP + "if r0 == 0 goto out; r1 = *(u64 *)(r0 + 0); "
     "out: r0 = 0; exit"),
    ("packed/lock-at-5", "packed", LOCKED.replace("r1 += 4", "r1 += 5").format(body="")),
    ("packed/load-over-lock", "packed", LOOKUP + "if r0 == 0 goto out; "
     "r1 = *(u32 *)(r0 + 4); out: r0 = 0; exit"),
]


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_odd_value_layouts_as_kernel(clients, case) -> None:
    """Where the kernel finds the lock (or finds none) in unusual values, and what its
    verifier then says."""
    _, which, text = case

    def load(cl: Client) -> tuple | str:
        tid, size = LAYOUTS[which]
        fd = cl.map_create(H, 4, size, 2, cl.btf_load(LAYOUT_BLOB), LAYOUTS["int"][0], tid,
                           name=which)
        prog, err, log = cl.prog_load(_program(text, fd))
        return prog is not None, err, error_line(log) if prog is None else ""
    ours, theirs = both(clients, load)
    assert ours == theirs
    assert isinstance(theirs, tuple), theirs    # the map was made


def test_lock_at_odd_offset_runs_as_kernel(clients) -> None:
    """A lock at offset 5 of a packed value: both verifiers accept it, and it runs."""
    text = LOCKED.replace("r1 += 4", "r1 += 5").format(
        body="r1 = *(u8 *)(r6 + 0); r1 += 1; *(u8 *)(r6 + 0) = r1")

    def run(cl: Client) -> tuple:
        tid, size = LAYOUTS["packed"]
        fd = cl.map_create(H, 4, size, 2, cl.btf_load(LAYOUT_BLOB), LAYOUTS["int"][0], tid,
                           name="packed")
        cl.update(fd, struct.pack("<I", 0), bytes(range(1, 13)))
        prog, _, log = cl.prog_load(_program(text, fd))
        assert prog is not None, log
        rets = [cl.test_run(prog, bytes(64)) for _ in range(2)]
        return rets, cl.lookup(fd, struct.pack("<I", 0), size)
    ours, theirs = both(clients, run)
    assert ours == theirs
    assert ours[1] == bytes([3, 2, 3, 4, 5, 0, 0, 0, 0, 10, 11, 12])


def test_kptr_fields_are_refused_clearly() -> None:
    """A ``struct task_struct __kptr *`` in a value: the kernel resolves it against its own
    BTF; pyebpf has none, so it refuses the map (EOPNOTSUPP) instead of pretending."""
    from pyebpf.btf import KPTR

    b = BTFBuilder()
    i = b.int_("int", 4)
    kptr = b.ptr(b.type_tag("kptr", b.fwd("task_struct")))
    val = b.struct_("kval", 16, [("cnt", i, 0), ("task", kptr, 8)])
    blob = b.blob()
    assert [f.kind for f in parse_fields(BTF(blob), val, 16).fields] == [KPTR]
    rt = Runtime()
    ours = Client(lambda cmd, a: pyebpf_bpf(cmd, a, runtime=rt), rt.close)
    with pytest.raises(BPFError) as exc:
        ours.map_create(H, 4, 16, 1, ours.btf_load(blob), i, val)
    assert exc.value.errno == errno.EOPNOTSUPP and "kernel BTF" in str(exc.value)
    ours.close_all()
