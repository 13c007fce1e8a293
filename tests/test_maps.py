"""Map types: behaviour and errnos per type, the kernel as the reference.

Most tests run the same client (tests/test_syscall.py) on the live kernel and on
pyebpf and assert the same outcome; LRU eviction order and bloom false
positives are implementation details the kernel does not fix, so those are
asserted on pyebpf only.
"""

from __future__ import annotations

import errno
import struct

import pytest
from pyebpf._maps import CMap
from test_syscall import Client, client_backends

from pyebpf import uapi
from pyebpf.errors import BPFError
from pyebpf.kernel import possible_cpus
from pyebpf.maps import BpfMap, MapAttrs
from pyebpf.objects import Map
from pyebpf.runtime import Runtime

MT = uapi.BpfMapType
u32 = struct.Struct("<I").pack
u64 = struct.Struct("<Q").pack
ENOTSUPP = 524


@pytest.fixture(params=["kernel", "pyebpf"])
def client(request):
    """The ctypes client on the live kernel and on pyebpf."""
    yield from client_backends(request)


def outcome(c: Client, fn, *args):
    """The value, or the errno, of one operation."""
    try:
        return fn(*args)
    except OSError as e:
        return f"errno {errno.errorcode.get(e.errno, e.errno)}"


# --- creation checks: the same errno as the kernel -----------------------------------------

CREATE_CASES = [
    ("hash/ok", MT.BPF_MAP_TYPE_HASH, 4, 8, 16, 0),
    ("hash/zero-key", MT.BPF_MAP_TYPE_HASH, 0, 8, 16, 0),
    ("hash/zero-value", MT.BPF_MAP_TYPE_HASH, 4, 0, 16, 0),
    ("hash/zero-entries", MT.BPF_MAP_TYPE_HASH, 4, 8, 0, 0),
    ("hash/key-too-big", MT.BPF_MAP_TYPE_HASH, 513, 8, 16, 0),
    ("hash/bad-flag", MT.BPF_MAP_TYPE_HASH, 4, 8, 16, uapi.BPF_F_MMAPABLE),
    ("hash/rdonly-and-wronly", MT.BPF_MAP_TYPE_HASH, 4, 8, 16,
     uapi.BPF_F_RDONLY | uapi.BPF_F_WRONLY),
    ("hash/prog-rdonly-and-wronly", MT.BPF_MAP_TYPE_HASH, 4, 8, 16,
     uapi.BPF_F_RDONLY_PROG | uapi.BPF_F_WRONLY_PROG),
    ("hash/no-common-lru", MT.BPF_MAP_TYPE_HASH, 4, 8, 16, uapi.BPF_F_NO_COMMON_LRU),
    ("lru/no-prealloc", MT.BPF_MAP_TYPE_LRU_HASH, 4, 8, 16, uapi.BPF_F_NO_PREALLOC),
    ("percpu-hash/value-too-big", MT.BPF_MAP_TYPE_PERCPU_HASH, 4, 32769, 4, 0),
    ("array/key-8", MT.BPF_MAP_TYPE_ARRAY, 8, 4, 4, 0),
    ("array/mmapable", MT.BPF_MAP_TYPE_ARRAY, 4, 4, 4, uapi.BPF_F_MMAPABLE),
    ("percpu-array/mmapable", MT.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 4, uapi.BPF_F_MMAPABLE),
    ("array/no-prealloc", MT.BPF_MAP_TYPE_ARRAY, 4, 4, 4, uapi.BPF_F_NO_PREALLOC),
    ("prog-array/value-8", MT.BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0),
    ("prog-array/rdonly-prog", MT.BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, uapi.BPF_F_RDONLY_PROG),
    ("queue/ok", MT.BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0),
    ("queue/with-key", MT.BPF_MAP_TYPE_QUEUE, 4, 4, 4, 0),
    ("stack/zero-value", MT.BPF_MAP_TYPE_STACK, 0, 0, 4, 0),
    ("lpm/needs-no-prealloc", MT.BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0),
    ("lpm/ok", MT.BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, uapi.BPF_F_NO_PREALLOC),
    ("lpm/key-4", MT.BPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, uapi.BPF_F_NO_PREALLOC),
    ("ringbuf/ok", MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0),
    ("ringbuf/not-pow2", MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 12288, 0),
    ("ringbuf/not-page", MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 1024, 0),
    ("ringbuf/key", MT.BPF_MAP_TYPE_RINGBUF, 4, 0, 4096, 0),
    ("bloom/ok", MT.BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 16, 0),
    ("bloom/key", MT.BPF_MAP_TYPE_BLOOM_FILTER, 4, 4, 16, 0),
    ("unknown-type", 200, 4, 4, 4, 0),
]


@pytest.mark.parametrize("case", CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
def test_create_errno_matches_kernel(kernel, case):
    _, t, k, v, n, flags = case
    ours = Client(lambda cmd, attr, size=None: __import__("pyebpf.syscall").syscall.bpf(
        cmd, attr, size, runtime=Runtime()))
    theirs = Client(kernel.sys_bpf)
    try:
        got = [outcome(c, lambda c=c: c.map_create(t, k, v, n, flags) >= 0)
               for c in (theirs, ours)]
        assert got[1] == got[0]
    finally:
        ours.close()
        theirs.close()


def test_bloom_extra_and_name_errors(client):
    assert outcome(client, client.map_create, MT.BPF_MAP_TYPE_HASH, 4, 4, 4, 0, 0, 3) \
        == "errno EINVAL"
    assert outcome(client, client.map_create, MT.BPF_MAP_TYPE_HASH, 4, 4, 4, 0, 0, 0,
                   b"bad name") == "errno EINVAL"
    assert outcome(client, client.map_create, MT.BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, 0, 0,
                   16) == "errno EINVAL"


# --- hash maps ----------------------------------------------------------------------------------

def test_hash_flags_and_full(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 8, 2)
    c = client
    assert outcome(c, c.update, fd, u32(1), u64(10), uapi.BPF_EXIST) == "errno ENOENT"
    assert outcome(c, c.update, fd, u32(1), u64(10), uapi.BPF_NOEXIST) == 0
    assert outcome(c, c.update, fd, u32(1), u64(11), uapi.BPF_NOEXIST) == "errno EEXIST"
    assert outcome(c, c.update, fd, u32(1), u64(12), uapi.BPF_EXIST) == 0
    assert outcome(c, c.update, fd, u32(2), u64(20)) == 0
    assert outcome(c, c.update, fd, u32(3), u64(30)) == "errno E2BIG"
    assert outcome(c, c.update, fd, u32(2), u64(21)) == 0          # full, but existing key
    assert outcome(c, c.update, fd, u32(3), u64(30), 8) == "errno EINVAL"
    assert outcome(c, c.update, fd, u32(1), u64(30), uapi.BPF_F_LOCK) == "errno EINVAL"
    assert c.lookup(fd, u32(1), 8) == u64(12)
    assert outcome(c, c.lookup, fd, u32(9), 8) == "errno ENOENT"
    assert outcome(c, c.delete, fd, u32(9)) == "errno ENOENT"
    assert sorted(c.keys(fd, 4)) == [u32(1), u32(2)]
    assert outcome(c, c.lookup_and_delete, fd, u32(2), 8) == u64(21)
    assert c.keys(fd, 4) == [u32(1)]


def test_hash_get_next_key_missing_key_starts_over(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 8)
    for i in range(5):
        client.update(fd, u32(i), u32(i))
    first = client.next_key(fd, None, 4)
    assert client.next_key(fd, u32(1000), 4) == first
    assert len(set(client.keys(fd, 4))) == 5
    empty = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 8)
    assert outcome(client, client.next_key, empty, None, 4) == "errno ENOENT"


def test_percpu_values_rounded_to_8_times_cpus(client):
    ncpu = possible_cpus()
    fd = client.map_create(MT.BPF_MAP_TYPE_PERCPU_HASH, 4, 4, 4)
    value = b"".join(u32(i + 1) + b"\0" * 4 for i in range(ncpu))
    client.update(fd, u32(7), value)
    assert client.lookup(fd, u32(7), 8 * ncpu) == value
    afd = client.map_create(MT.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 2)
    value = b"".join(bytes([i + 1]) * 12 + b"\0" * 4 for i in range(ncpu))
    client.update(afd, u32(1), value)
    assert client.lookup(afd, u32(1), 16 * ncpu) == value


def test_failed_update_leaves_map_unchanged():
    m = BpfMap(MapAttrs(MT.BPF_MAP_TYPE_HASH, 4, 4, 2), ncpus=2)
    m.update(u32(1), u32(10))
    m.update(u32(2), u32(20))
    before = {k: m.lookup(k) for k in m.keys()}
    for key, value, flags in [(u32(3), u32(30), 0), (u32(1), u32(11), uapi.BPF_NOEXIST),
                              (u32(4), u32(40), uapi.BPF_EXIST), (u32(1), u32(1), 9),
                              (b"\0" * 3, u32(1), 0), (u32(1), b"\0" * 5, 0)]:
        with pytest.raises(BPFError):
            m.update(key, value, flags)
        assert {k: m.lookup(k) for k in m.keys()} == before


def test_lru_evicts_least_recently_used():
    m = CMap(MT.BPF_MAP_TYPE_LRU_HASH, 4, 4, 3)
    for i in range(3):
        m.update(u32(i), u32(i))
    m.lookup(u32(0))                       # from user space: recency unchanged (kernel)
    m.update(u32(2), u32(22))              # full: takes a free element first, evicting 0
    m.update(u32(3), u32(3))               # into 0's place (tests/test_lru.py: as the kernel)
    assert m.count == 3
    with pytest.raises(BPFError) as exc:
        m.lookup(u32(0))
    assert exc.value.errno == errno.ENOENT
    assert [m.lookup(u32(k)) for k in (1, 2, 3)] == [u32(1), u32(22), u32(3)]


# --- arrays ---------------------------------------------------------------------------------

def test_array_semantics(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 3)
    c = client
    assert c.lookup(fd, u32(2), 4) == u32(0)
    assert outcome(c, c.update, fd, u32(1), u32(5), uapi.BPF_NOEXIST) == "errno EEXIST"
    assert outcome(c, c.update, fd, u32(3), u32(5)) == "errno E2BIG"
    assert outcome(c, c.lookup, fd, u32(3), 4) == "errno ENOENT"
    assert outcome(c, c.delete, fd, u32(1)) == "errno EINVAL"
    assert outcome(c, c.next_key, fd, None, 4) == u32(0)
    assert outcome(c, c.next_key, fd, u32(1), 4) == u32(2)
    assert outcome(c, c.next_key, fd, u32(2), 4) == "errno ENOENT"
    assert outcome(c, c.next_key, fd, u32(99), 4) == u32(0)
    assert outcome(c, c.lookup_and_delete, fd, u32(1), 4) == f"errno {ENOTSUPP}"


def test_frozen_and_readonly_maps(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 2)
    client.update(fd, u32(0), u32(1))
    client.freeze(fd)
    assert outcome(client, client.update, fd, u32(0), u32(2)) == "errno EPERM"
    assert outcome(client, client.freeze, fd) == "errno EPERM"
    assert client.lookup(fd, u32(0), 4) == u32(1)
    ro = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 2, uapi.BPF_F_RDONLY)
    assert outcome(client, client.update, ro, u32(0), u32(2)) == "errno EPERM"
    wo = client.map_create(MT.BPF_MAP_TYPE_HASH, 4, 4, 2, uapi.BPF_F_WRONLY)
    client.update(wo, u32(0), u32(2))
    assert outcome(client, client.lookup, wo, u32(0), 4) == "errno EPERM"


# --- queue, stack, bloom filter, LPM trie, ring buffer -------------------------------------

def test_queue_and_stack_order_and_errors(client):
    for t, order in ((MT.BPF_MAP_TYPE_QUEUE, [2, 3, 4]), (MT.BPF_MAP_TYPE_STACK, [4, 3, 2])):
        fd = client.map_create(t, 0, 4, 3)
        for v in (1, 2, 3):
            client.update(fd, None, u32(v))
        assert outcome(client, client.update, fd, None, u32(9)) == "errno E2BIG"
        assert outcome(client, client.update, fd, None, u32(4), uapi.BPF_NOEXIST) \
            == "errno EINVAL"
        if t == MT.BPF_MAP_TYPE_QUEUE:
            client.update(fd, None, u32(4), uapi.BPF_EXIST)      # drops the oldest
        else:
            client.lookup_and_delete(fd, None, 4)
            client.lookup_and_delete(fd, None, 4)
            client.lookup_and_delete(fd, None, 4)
            for v in (2, 3, 4):
                client.update(fd, None, u32(v))
        assert client.lookup(fd, None, 4) == u32(order[0])           # peek
        got = [client.lookup_and_delete(fd, None, 4) for _ in range(3)]
        assert got == [u32(v) for v in order]
        assert outcome(client, client.lookup_and_delete, fd, None, 4) == "errno ENOENT"
        assert outcome(client, client.delete, fd, None) == "errno EINVAL"
        assert outcome(client, client.next_key, fd, None, 4) == "errno EINVAL"


def test_bloom_filter(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 100)
    for v in (1, 5, 9):
        client.update(fd, None, u32(v))
    # the client's lookup passes a zeroed value buffer: the kernel tests that value
    assert outcome(client, client.lookup, fd, None, 4) == "errno ENOENT"
    client.update(fd, None, u32(0))
    assert outcome(client, client.lookup, fd, None, 4) == u32(0)
    assert outcome(client, client.delete, fd, None) == f"errno {errno.errorcode[95]}"
    assert outcome(client, client.update, fd, None, u32(3), uapi.BPF_EXIST) == "errno EINVAL"


def test_bloom_filter_membership():
    m = CMap(MT.BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 1000)
    for v in range(0, 200, 2):
        m.push(u32(v))
    assert all(m.contains_value(u32(v)) for v in range(0, 200, 2))
    misses = sum(not m.contains_value(u32(v)) for v in range(1000, 2000))
    assert misses > 950                     # few false positives


def lpm_key(prefix: int, *octets: int) -> bytes:
    return u32(prefix) + bytes(octets)


def test_lpm_longest_prefix_match(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_LPM_TRIE, 8, 4, 8, uapi.BPF_F_NO_PREALLOC)
    client.update(fd, lpm_key(8, 10, 0, 0, 0), u32(8))
    client.update(fd, lpm_key(16, 10, 1, 0, 0), u32(16))
    client.update(fd, lpm_key(24, 10, 1, 2, 0), u32(24))
    client.update(fd, lpm_key(24, 10, 1, 3, 0), u32(25))
    for addr, want in [((10, 1, 2, 3), u32(24)), ((10, 1, 3, 200), u32(25)),
                       ((10, 1, 9, 9), u32(16)), ((10, 9, 9, 9), u32(8))]:
        assert client.lookup(fd, lpm_key(32, *addr), 4) == want
    assert outcome(client, client.lookup, fd, lpm_key(32, 11, 0, 0, 0), 4) == "errno ENOENT"
    assert outcome(client, client.update, fd, lpm_key(33, 1, 1, 1, 1), u32(1)) == "errno EINVAL"
    assert outcome(client, client.delete, fd, lpm_key(20, 10, 1, 0, 0)) == "errno ENOENT"
    assert client.keys(fd, 8) == [lpm_key(24, 10, 1, 2, 0), lpm_key(24, 10, 1, 3, 0),
                                  lpm_key(16, 10, 1, 0, 0), lpm_key(8, 10, 0, 0, 0)]
    client.delete(fd, lpm_key(16, 10, 1, 0, 0))
    assert client.lookup(fd, lpm_key(32, 10, 1, 9, 9), 4) == u32(8)


def test_ringbuf_has_no_elements(client):
    fd = client.map_create(MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 4096)
    assert outcome(client, client.lookup, fd, None, 4) == f"errno {ENOTSUPP}"
    assert outcome(client, client.next_key, fd, None, 4) == f"errno {ENOTSUPP}"


def test_ringbuf_records_wrap_and_discard():
    m = CMap(MT.BPF_MAP_TYPE_RINGBUF, 0, 0, 4096)
    import ctypes

    for round_ in range(5):
        addrs = [m.ring_reserve(1000) for _ in range(3)]
        assert all(addrs)
        assert m.ring_reserve(2000) == 0             # does not fit
        for i, a in enumerate(addrs):
            ctypes.memmove(a, bytes([round_ * 3 + i]) * 1000, 1000)
        from pyebpf import _maps

        del _maps
        # commit through the header as the helpers do: busy bit off, one discarded
        for i, a in enumerate(addrs):
            hdr = ctypes.c_uint32.from_address(a - 8)
            hdr.value = (hdr.value & ~0x80000000) | (0x40000000 if i == 1 else 0)
        got = m.ring_consume()
        assert got == [bytes([round_ * 3]) * 1000, bytes([round_ * 3 + 2]) * 1000]


# --- fd maps --------------------------------------------------------------------------------

def test_prog_array_and_map_in_map(client):
    from test_syscall import lookup_prog

    arr = client.map_create(MT.BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4)
    inner = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 4, 2)
    prog = client.prog_load(lookup_prog(inner, 0))
    assert outcome(client, client.lookup, arr, u32(0), 4) == "errno ENOENT"
    client.update(arr, u32(0), u32(prog))
    assert struct.unpack("<I", client.lookup(arr, u32(0), 4))[0] > 0     # the prog id
    assert outcome(client, client.update, arr, u32(4), u32(prog)) == "errno E2BIG"
    assert outcome(client, client.update, arr, u32(1), u32(inner)) == "errno EINVAL"
    client.delete(arr, u32(0))
    assert outcome(client, client.delete, arr, u32(0)) == "errno ENOENT"
    outer = client.map_create(MT.BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, inner=inner)
    other = client.map_create(MT.BPF_MAP_TYPE_ARRAY, 4, 8, 2)
    client.update(outer, u32(1), u32(inner))
    assert outcome(client, client.update, outer, u32(0), u32(other)) == "errno EINVAL"
    hom = client.map_create(MT.BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, inner=inner)
    client.update(hom, u32(77), u32(inner))
    assert client.keys(hom, 4) == [u32(77)]
    assert outcome(client, client.map_create, MT.BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0,
                   outer) == "errno EINVAL"


# --- the Pythonic Map ---------------------------------------------------------------------

def test_map_object_is_a_mutable_mapping():
    import ctypes

    rt = Runtime(ncpus=2)
    m = Map(MT.BPF_MAP_TYPE_HASH, key_type=ctypes.c_uint32, value_type=ctypes.c_uint64,
            max_entries=4, runtime=rt)
    m[ctypes.c_uint32(1)] = ctypes.c_uint64(10)
    m.update(ctypes.c_uint32(2), ctypes.c_uint64(20))
    assert {k.value: m[k].value for k in m} == {1: 10, 2: 20}
    assert len(m) == 2
    del m[ctypes.c_uint32(1)]
    with pytest.raises(KeyError):
        m[ctypes.c_uint32(1)]
    pc = Map(MT.BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, runtime=rt)
    pc[1] = [u32(5), u32(6)]
    assert pc[1] == [u32(5), u32(6)]
    q = Map(MT.BPF_MAP_TYPE_QUEUE, 0, 4, 2, runtime=rt)
    q.push(u32(1))
    q.push(u32(2))
    assert (q.peek(), q.pop(), q.pop()) == (u32(1), u32(1), u32(2))
    for x in (m, pc, q):
        x.close()
