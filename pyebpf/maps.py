"""Maps as the kernel's ``struct bpf_map``: creation checks and the user-space operations.

The storage and the operations programs perform are in C (:mod:`pyebpf._maps`);
this module holds what the kernel does around them for ``bpf()`` callers:
``map_alloc_check`` per type (which attribute combinations are refused and with
which errno), the user-visible value formats (per-CPU values rounded up to 8
bytes times the number of CPUs; fd maps taking fds and returning ids),
read-only/write-only/frozen permissions, and the batch operations.
"""

from __future__ import annotations

import errno
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyebpf import uapi
from pyebpf._maps import CMap
from pyebpf.btf import (
    KIND_DATASEC,
    KIND_INT,
    KIND_STRUCT,
    PERCPU_KPTR,
    RES_SPIN_LOCK,
    SPIN_LOCK,
    TIMER,
    UPTR,
    WORKQUEUE,
    FieldRecord,
    parse_fields,
    type_id_size,
)
from pyebpf.errors import BPFError

MapType = uapi.BpfMapType
ENOTSUPP = 524          # the kernel-internal errno bpf() leaks for some map types

KMALLOC_MAX_SIZE = 1 << 22
PCPU_MIN_UNIT_SIZE = 32768
MAX_BPF_STACK = 512
HTAB_ELEM_SIZE = 48     # sizeof(struct htab_elem) on x86-64, for the E2BIG bound
MAX_ARRAY_VALUE_SIZE = (1 << 31) - 1   # INT_MAX: array_map_alloc_check's E2BIG bound

_ACCESS = (uapi.BPF_F_RDONLY | uapi.BPF_F_WRONLY | uapi.BPF_F_RDONLY_PROG
           | uapi.BPF_F_WRONLY_PROG)
_HASH_FLAGS = (uapi.BPF_F_NO_PREALLOC | uapi.BPF_F_NO_COMMON_LRU | uapi.BPF_F_NUMA_NODE
               | _ACCESS | uapi.BPF_F_ZERO_SEED)
_ARRAY_FLAGS = (uapi.BPF_F_NUMA_NODE | uapi.BPF_F_MMAPABLE | _ACCESS
                | uapi.BPF_F_PRESERVE_ELEMS | uapi.BPF_F_INNER_MAP)
_QUEUE_FLAGS = uapi.BPF_F_NUMA_NODE | _ACCESS
_BLOOM_FLAGS = uapi.BPF_F_NUMA_NODE | uapi.BPF_F_ZERO_SEED | _ACCESS
_LPM_FLAGS = uapi.BPF_F_NO_PREALLOC | uapi.BPF_F_NUMA_NODE | _ACCESS
_RINGBUF_FLAGS = uapi.BPF_F_NUMA_NODE

HASH_TYPES = frozenset({MapType.BPF_MAP_TYPE_HASH, MapType.BPF_MAP_TYPE_PERCPU_HASH,
                        MapType.BPF_MAP_TYPE_LRU_HASH, MapType.BPF_MAP_TYPE_LRU_PERCPU_HASH})
PERCPU_TYPES = frozenset({MapType.BPF_MAP_TYPE_PERCPU_HASH, MapType.BPF_MAP_TYPE_PERCPU_ARRAY,
                          MapType.BPF_MAP_TYPE_LRU_PERCPU_HASH})
ARRAY_TYPES = frozenset({MapType.BPF_MAP_TYPE_ARRAY, MapType.BPF_MAP_TYPE_PERCPU_ARRAY})
FD_ARRAY_TYPES = frozenset({MapType.BPF_MAP_TYPE_PROG_ARRAY, MapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY,
                            MapType.BPF_MAP_TYPE_ARRAY_OF_MAPS})
MAP_IN_MAP_TYPES = frozenset({MapType.BPF_MAP_TYPE_ARRAY_OF_MAPS,
                              MapType.BPF_MAP_TYPE_HASH_OF_MAPS})
QUEUE_TYPES = frozenset({MapType.BPF_MAP_TYPE_QUEUE, MapType.BPF_MAP_TYPE_STACK})
# maps of kernel objects pyebpf stands in for: stack traces, devices, CPUs, sockets, cgroups
STACK_TRACE = MapType.BPF_MAP_TYPE_STACK_TRACE
CGROUP_ARRAY = MapType.BPF_MAP_TYPE_CGROUP_ARRAY
DEVMAP, DEVMAP_HASH = MapType.BPF_MAP_TYPE_DEVMAP, MapType.BPF_MAP_TYPE_DEVMAP_HASH
CPUMAP, XSKMAP = MapType.BPF_MAP_TYPE_CPUMAP, MapType.BPF_MAP_TYPE_XSKMAP
SOCKMAP, SOCKHASH = MapType.BPF_MAP_TYPE_SOCKMAP, MapType.BPF_MAP_TYPE_SOCKHASH
OBJECT_TYPES = frozenset({STACK_TRACE, CGROUP_ARRAY, DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP,
                          SOCKMAP, SOCKHASH})
# the ones indexed 0..max_entries-1 like arrays (get_next_key walks every index)
INDEXED_TYPES = frozenset({CGROUP_ARRAY, DEVMAP, CPUMAP, XSKMAP, SOCKMAP})
SUPPORTED_TYPES = (HASH_TYPES | ARRAY_TYPES | FD_ARRAY_TYPES | QUEUE_TYPES | OBJECT_TYPES | {
    MapType.BPF_MAP_TYPE_LPM_TRIE, MapType.BPF_MAP_TYPE_HASH_OF_MAPS,
    MapType.BPF_MAP_TYPE_RINGBUF, MapType.BPF_MAP_TYPE_BLOOM_FILTER})
_OBJ_FLAGS = uapi.BPF_F_NUMA_NODE | uapi.BPF_F_RDONLY | uapi.BPF_F_WRONLY
_STACK_FLAGS = _OBJ_FLAGS | uapi.BPF_F_STACK_BUILD_ID
BUILD_ID_SIZE = 32              # sizeof(struct bpf_stack_build_id)
CPUMAP_MAX_QSIZE = 16384
# the network devices pyebpf's test runs know: the loopback device (ifindex 1)
IFINDEXES = frozenset({1})


# map_check_btf: where each special field may be (others: EOPNOTSUPP)
_LOCK_MAP_TYPES = frozenset({MapType.BPF_MAP_TYPE_HASH, MapType.BPF_MAP_TYPE_ARRAY})
_TIMER_MAP_TYPES = frozenset({MapType.BPF_MAP_TYPE_HASH, MapType.BPF_MAP_TYPE_LRU_HASH,
                              MapType.BPF_MAP_TYPE_ARRAY})
_KPTR_MAP_TYPES = HASH_TYPES | ARRAY_TYPES
_FIELD_MAP_TYPES = {SPIN_LOCK: _LOCK_MAP_TYPES, RES_SPIN_LOCK: _LOCK_MAP_TYPES,
                    TIMER: _TIMER_MAP_TYPES, WORKQUEUE: _TIMER_MAP_TYPES,
                    PERCPU_KPTR: _KPTR_MAP_TYPES, UPTR: frozenset()}
# maps whose map_check_btf accepts a value type without a key type
# the special fields pyebpf maps can hold (the others need kernel BTF or kfuncs)
_RUNTIME_KINDS = frozenset({SPIN_LOCK, RES_SPIN_LOCK, TIMER, WORKQUEUE})
# maps whose ops have map_check_no_btf
_NO_BTF_TYPES = frozenset({MapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY,
                           MapType.BPF_MAP_TYPE_ARRAY_OF_MAPS, MapType.BPF_MAP_TYPE_HASH_OF_MAPS})
# maps whose keys array_map_check_btf checks (a u32)
_ARRAY_BTF_TYPES = ARRAY_TYPES | {MapType.BPF_MAP_TYPE_PROG_ARRAY}
# maps with a map_check_btf of their own (which accepts or refuses a value without a key)
_KEYLESS_BTF_TYPES = _ARRAY_BTF_TYPES | _NO_BTF_TYPES | {MapType.BPF_MAP_TYPE_BLOOM_FILTER,
                                                         MapType.BPF_MAP_TYPE_LPM_TRIE}


def _err(code: int, msg: str) -> BPFError:
    return BPFError(code, msg)


def _sysfs_int(path: str, default: int) -> int:
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return default


# sysctl kernel.perf_event_max_stack (the deepest stack a STACK_TRACE value holds) and
# NR_CPUS (a CPUMAP's largest max_entries), read from the host as the kernel has them
PERF_MAX_STACK = _sysfs_int("/proc/sys/kernel/perf_event_max_stack", 127)
NR_CPUS = _sysfs_int("/sys/devices/system/cpu/kernel_max", 8191) + 1


def _check_object_map(a: MapAttrs) -> None:
    """The alloc checks of stackmap.c, devmap.c, cpumap.c, xskmap.c and sock_map.c."""
    t, flags, vs = a.map_type, a.map_flags, a.value_size
    if t == STACK_TRACE:
        if flags & ~_STACK_FLAGS or a.max_entries == 0 or a.key_size != 4 or vs < 8 or vs % 8:
            raise _err(errno.EINVAL, "stack trace map: key_size 4, value_size a multiple of 8")
        unit = BUILD_ID_SIZE if flags & uapi.BPF_F_STACK_BUILD_ID else 8
        if vs % unit or vs // unit > PERF_MAX_STACK:
            raise _err(errno.EINVAL, f"stack trace values hold at most {PERF_MAX_STACK} "
                       f"entries of {unit} bytes")
        if a.max_entries > 1 << 31:
            raise _err(errno.E2BIG, "too many stack trace buckets")
        return
    if t == CGROUP_ARRAY:
        return          # checked as the other fd arrays
    if t == CPUMAP:
        allowed = uapi.BPF_F_NUMA_NODE
    else:
        allowed = _OBJ_FLAGS
    sizes = (4,) if t == XSKMAP else (4, 8)
    keys_ok = a.key_size > 0 if t == SOCKHASH else a.key_size == 4
    if a.max_entries == 0 or not keys_ok or vs not in sizes or flags & ~allowed:
        raise _err(errno.EINVAL, f"map type {t}: key_size, value_size {sizes} and flags")
    if t == SOCKHASH and a.key_size > MAX_BPF_STACK:
        raise _err(errno.E2BIG, "sockhash keys are at most 512 bytes")
    if t == CPUMAP and a.max_entries > NR_CPUS:
        raise _err(errno.E2BIG, f"a cpumap has at most NR_CPUS ({NR_CPUS}) entries")
    if t in (DEVMAP_HASH, SOCKHASH) and a.max_entries > 1 << 31:
        raise _err(errno.EINVAL, "too many hash buckets")


def _access_ok(flags: int) -> bool:
    both = uapi.BPF_F_RDONLY_PROG | uapi.BPF_F_WRONLY_PROG
    return flags & both != both


@dataclass
class MapAttrs:
    """The BPF_MAP_CREATE attributes pyebpf uses (names as in ``union bpf_attr``)."""

    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    map_flags: int = 0
    inner_map: BpfMap | None = None
    numa_node: int = 0
    map_name: str = ""
    map_extra: int = 0
    btf_fd: int = 0
    btf_key_type_id: int = 0
    btf_value_type_id: int = 0


def check_attrs(a: MapAttrs) -> None:
    """The kernel's ``map_alloc_check`` for ``a.map_type``: raise what the kernel returns."""
    t, flags = a.map_type, a.map_flags
    if flags & uapi.BPF_F_RDONLY and flags & uapi.BPF_F_WRONLY:
        raise _err(errno.EINVAL, "BPF_F_RDONLY and BPF_F_WRONLY together")
    if a.map_extra and t != MapType.BPF_MAP_TYPE_BLOOM_FILTER:
        raise _err(errno.EINVAL, "map_extra is only for bloom filters")
    if a.btf_key_type_id and not a.btf_value_type_id:
        raise _err(errno.EINVAL, "btf_key_type_id without btf_value_type_id")
    if t not in SUPPORTED_TYPES:
        known = t in MapType._value2member_map_
        raise _err(errno.EINVAL, f"map type {t} " + ("is not supported by pyebpf"
                                                    if known else "is unknown"))
    if t in HASH_TYPES or t == MapType.BPF_MAP_TYPE_HASH_OF_MAPS:
        lru = t in (MapType.BPF_MAP_TYPE_LRU_HASH, MapType.BPF_MAP_TYPE_LRU_PERCPU_HASH)
        if flags & ~_HASH_FLAGS or not _access_ok(flags):
            raise _err(errno.EINVAL, f"flags {flags:#x} not allowed for hash maps")
        if not lru and flags & uapi.BPF_F_NO_COMMON_LRU:
            raise _err(errno.EINVAL, "BPF_F_NO_COMMON_LRU needs an LRU map")
        if lru and flags & uapi.BPF_F_NO_PREALLOC:
            raise _err(ENOTSUPP, "LRU maps are always preallocated")
        if a.max_entries == 0 or a.key_size == 0 or a.value_size == 0:
            raise _err(errno.EINVAL, "key_size, value_size and max_entries must be nonzero")
        if a.key_size + a.value_size >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE:
            raise _err(errno.E2BIG, "key_size + value_size too large")
        if t in PERCPU_TYPES and (a.value_size + 7) // 8 * 8 > PCPU_MIN_UNIT_SIZE:
            raise _err(errno.E2BIG, "per-CPU value larger than 32 KiB")
        # htab_map_alloc: the bucket array (16-byte buckets, a power of two of them) must
        # stay within U32_MAX bytes
        if a.max_entries > 1 << 31 or 1 << (a.max_entries - 1).bit_length() > 0xFFFFFFFF // 16:
            raise _err(errno.E2BIG, "too many entries for the bucket array")
    elif t in OBJECT_TYPES and t != CGROUP_ARRAY:
        _check_object_map(a)
    elif t in ARRAY_TYPES or t in FD_ARRAY_TYPES or t == CGROUP_ARRAY:
        if t in FD_ARRAY_TYPES or t == CGROUP_ARRAY:
            if a.value_size != 4:
                raise _err(errno.EINVAL, "fd maps have 4-byte values")
            if flags & (uapi.BPF_F_RDONLY_PROG | uapi.BPF_F_WRONLY_PROG):
                raise _err(errno.EINVAL, "fd maps take no program access flags")
        if (a.max_entries == 0 or a.key_size != 4 or a.value_size == 0
                or flags & ~_ARRAY_FLAGS or not _access_ok(flags)):
            raise _err(errno.EINVAL, "arrays need key_size 4, value_size > 0, "
                       "max_entries > 0 and array flags")
        if t != MapType.BPF_MAP_TYPE_ARRAY and flags & (uapi.BPF_F_MMAPABLE
                                                        | uapi.BPF_F_INNER_MAP):
            raise _err(errno.EINVAL, "BPF_F_MMAPABLE/BPF_F_INNER_MAP are for plain arrays")
        if (t != MapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY
                and flags & uapi.BPF_F_PRESERVE_ELEMS):
            raise _err(errno.EINVAL, "BPF_F_PRESERVE_ELEMS is for perf event arrays")
        if t in PERCPU_TYPES and (a.value_size + 7) // 8 * 8 > PCPU_MIN_UNIT_SIZE:
            raise _err(errno.E2BIG, "per-CPU value larger than 32 KiB")
        if a.value_size > MAX_ARRAY_VALUE_SIZE:
            raise _err(errno.E2BIG, "value_size too large")
    elif t in QUEUE_TYPES:
        if (a.max_entries == 0 or a.key_size != 0 or a.value_size == 0
                or flags & ~_QUEUE_FLAGS or not _access_ok(flags)):
            raise _err(errno.EINVAL, "queue/stack: key_size 0, value_size and max_entries > 0")
        if a.value_size > KMALLOC_MAX_SIZE:
            raise _err(errno.E2BIG, "value_size too large")
    elif t == MapType.BPF_MAP_TYPE_BLOOM_FILTER:
        if a.value_size > KMALLOC_MAX_SIZE:                  # bloom_map_alloc_check
            raise _err(errno.E2BIG, "value_size too large")
        if (a.key_size != 0 or a.value_size == 0 or a.max_entries == 0
                or flags & ~_BLOOM_FLAGS or not _access_ok(flags) or a.map_extra & ~0xF):
            raise _err(errno.EINVAL, "bloom filter: key_size 0, value_size and "
                       "max_entries > 0, map_extra < 16")
    elif t == MapType.BPF_MAP_TYPE_LPM_TRIE:
        if (a.max_entries == 0 or not flags & uapi.BPF_F_NO_PREALLOC
                or flags & ~_LPM_FLAGS or not _access_ok(flags)
                or not 5 <= a.key_size <= 4 + 256
                or not 1 <= a.value_size <= KMALLOC_MAX_SIZE - 256 - 64):
            raise _err(errno.EINVAL, "LPM trie: BPF_F_NO_PREALLOC, key_size 5..260, "
                       "value_size > 0")
    elif t == MapType.BPF_MAP_TYPE_RINGBUF:
        if flags & ~_RINGBUF_FLAGS:
            raise _err(errno.EINVAL, "ring buffers take no flags")
        n = a.max_entries
        if a.key_size or a.value_size or n == 0 or n & (n - 1) or n % 4096:
            raise _err(errno.EINVAL, "ring buffer: key/value size 0, max_entries a "
                       "power of two multiple of the page size")
    if t in MAP_IN_MAP_TYPES:
        inner = a.inner_map
        if inner is None:
            raise _err(errno.EBADF, "inner_map_fd is not a map")
        if inner.map_type in MAP_IN_MAP_TYPES:
            raise _err(errno.EINVAL, "an inner map cannot hold maps")
        if inner.map_type in (MapType.BPF_MAP_TYPE_PROG_ARRAY,):
            raise _err(ENOTSUPP, "this map type cannot be an inner map")
    _check_name(a.map_name)


def _check_name(name: str | bytes) -> None:
    raw = name.encode() if isinstance(name, str) else bytes(name)
    raw = raw.split(b"\0", 1)[0]
    if len(raw) >= uapi.BPF_OBJ_NAME_LEN:
        raise _err(errno.EINVAL, "object name longer than 15 characters")
    for ch in raw.decode("latin-1"):
        if not (ch.isascii() and (ch.isalnum() or ch in "_.")):
            raise _err(errno.EINVAL, f"invalid character {ch!r} in object name")


def _socket_cookie(fd: int, xdp: bool = False) -> int:
    """sockfd_lookup and the sock map's state checks: the socket's cookie (SO_COOKIE).

    pyebpf has no AF_XDP sockets, so an XSKMAP refuses every socket (EOPNOTSUPP).
    """
    import socket
    import stat

    try:
        st = os.fstat(fd)
    except OSError:
        raise _err(errno.EBADF, f"fd {fd} is not open") from None
    if not stat.S_ISSOCK(st.st_mode):
        raise _err(errno.ENOTSOCK, f"fd {fd} is not a socket")
    s = socket.socket(fileno=os.dup(fd))
    try:
        if xdp or s.family not in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            raise _err(errno.EOPNOTSUPP, "this socket cannot be in a sock map")
        if s.type == socket.SOCK_DGRAM and s.family != socket.AF_UNIX and \
                s.getsockname()[1] == 0:
            raise _err(errno.EOPNOTSUPP, "an unbound UDP socket cannot be in a sock map")
        if s.type == socket.SOCK_STREAM:
            # TCP: established or listening; stream unix sockets: connected
            state = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] \
                if s.family != socket.AF_UNIX else None
            ok = state in (1, 10) if state is not None else _unix_connected(s)
            if not ok:
                raise _err(errno.EOPNOTSUPP, "a stream socket must be connected or listening")
        return int.from_bytes(s.getsockopt(socket.SOL_SOCKET, 57, 8), "little")  # SO_COOKIE
    finally:
        s.close()


def _unix_connected(s: Any) -> bool:
    try:
        s.getpeername()
        return True
    except OSError:
        return False


CGROUP2_SUPER_MAGIC = 0x63677270


def _fs_type(fd: int) -> int:
    """fstatfs(fd).f_type (the filesystem's magic number)."""
    import ctypes

    buf = ctypes.create_string_buffer(120)      # struct statfs on x86-64: f_type first
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.fstatfs(fd, buf) != 0:
        raise _err(errno.EBADF, f"fd {fd} is not open")
    return int.from_bytes(buf.raw[:8], "little")


def _cgroup_id(fd: int) -> int:
    """cgroup_get_from_fd: a directory of the cgroup2 filesystem; its id is the inode."""
    import stat

    try:
        st = os.fstat(fd)
    except OSError:
        raise _err(errno.EBADF, f"fd {fd} is not open") from None
    if not stat.S_ISDIR(st.st_mode) or _fs_type(fd) != CGROUP2_SUPER_MAGIC:
        raise _err(errno.EBADF, f"fd {fd} is not a cgroup2 directory")
    return st.st_ino


@dataclass(eq=False)
class BpfMap:
    """One map: attributes (user-visible sizes), C storage, permissions, id."""

    attrs: MapAttrs
    ncpus: int
    id: int = 0
    frozen: bool = False
    cmap: CMap = field(init=False)
    inner_meta: MapAttrs | None = None
    owner_prog_type: int | None = None          # prog arrays: the type of their programs
    perf_readers: dict[int, deque] = field(default_factory=dict)
    btf_id: int = 0
    btf: Any = None                             # the BtfObject the value type is in
    record: FieldRecord | None = None           # the value's special fields (spin lock, ...)
    cgroup_paths: dict[int, str] = field(default_factory=dict)   # CGROUP_ARRAY slots

    def __post_init__(self) -> None:
        a = self.attrs
        check_attrs(a)
        stored = 8 if a.map_type in MAP_IN_MAP_TYPES or a.map_type in FD_ARRAY_TYPES \
            else a.value_size
        nr_hash = (a.map_extra & 0xF) or 5
        seed = 0 if a.map_flags & uapi.BPF_F_ZERO_SEED else (id(self) >> 4) & 0xFFFFFFFF
        ctype = a.map_type
        if a.map_type in OBJECT_TYPES:
            # entries present or absent, keyed by index or key: a hash holds them (a
            # program's devmap lookup reads the value through it); sockets, cgroups and
            # CPUs are recorded by their cookie, id and queue size
            ctype = MapType.BPF_MAP_TYPE_HASH
            stored = a.value_size if a.map_type in (STACK_TRACE, DEVMAP, DEVMAP_HASH,
                                                    CPUMAP) else 8
            if a.map_type in (DEVMAP, DEVMAP_HASH):
                a.map_flags |= uapi.BPF_F_RDONLY_PROG   # dev_map_init_map: read-only
        self.cmap = CMap(ctype, a.key_size, stored, a.max_entries, 0 if ctype != a.map_type
                         else a.map_flags, self.ncpus, nr_hash, seed)
        if a.inner_map is not None:
            im = a.inner_map.attrs
            self.inner_meta = MapAttrs(im.map_type, im.key_size, im.value_size, im.max_entries,
                                       im.map_flags)
            a.inner_map = None          # the kernel keeps only the template

    def check_btf(self, btf_obj: Any, key_type_id: int, value_type_id: int,
                  privileged: bool = True) -> None:
        """map_check_btf: the key and value types must have the map's sizes; the value's
        special fields are recorded, and refused where the map type cannot hold them."""
        btf = btf_obj.parsed
        if key_type_id:
            key = type_id_size(btf, key_type_id)
            if key is None or key[1] != self.key_size:
                raise _err(errno.EINVAL, f"BTF key type [{key_type_id}] is not "
                           f"{self.key_size} bytes")
            key_type = key[0]
        else:
            key_type = None
            if self.map_type not in _KEYLESS_BTF_TYPES:
                raise _err(errno.EINVAL, "this map type needs a BTF key type")
        value = type_id_size(btf, value_type_id)
        if value is None or value[1] != self.value_size:
            raise _err(errno.EINVAL, f"BTF value type [{value_type_id}] is not "
                       f"{self.value_size} bytes")
        try:
            record = parse_fields(btf, value_type_id, self.value_size)
        except BPFError:
            # map_check_btf keeps btf_parse_fields' error as the record and goes on: the
            # map is made, with no special field at all (a lock in it is no lock)
            record = None
        if record is not None:
            if not privileged:
                raise _err(errno.EPERM, "special fields in map values need CAP_BPF")
            if self.map_flags & (uapi.BPF_F_RDONLY_PROG | uapi.BPF_F_WRONLY_PROG):
                raise _err(errno.EACCES, "special fields in a map programs cannot write")
            for f in record.fields:
                allowed = _FIELD_MAP_TYPES.get(f.kind, _KPTR_MAP_TYPES)
                if self.map_type not in allowed:
                    raise _err(errno.EOPNOTSUPP, f"{f.kind.name} in map type "
                               f"{self.map_type}")
            for f in record.fields:
                if f.kind not in _RUNTIME_KINDS:
                    # kptrs name kernel types, lists and trees live on kfuncs: neither exists
                    # in pyebpf (it has no kernel BTF), so such a map cannot be made honestly
                    raise _err(errno.EOPNOTSUPP, f"{f.kind.name} fields need kernel BTF and "
                               "kfuncs, which pyebpf does not have")
        # the map types' own map_check_btf
        t = self.map_type
        if t in _ARRAY_BTF_TYPES and key_type is None:  # keyless: .bss/.data/.rodata maps
            if t != MapType.BPF_MAP_TYPE_ARRAY or self.max_entries != 1 or \
                    value[0].kind != KIND_DATASEC:
                raise _err(errno.EINVAL, "a keyless array is a one-element DATASEC")
        elif t in _ARRAY_BTF_TYPES:
            if key_type.kind != KIND_INT or key_type.bits != 32 or key_type.int_offset:
                raise _err(errno.EINVAL, "array keys are 32-bit integers")
        elif t == MapType.BPF_MAP_TYPE_BLOOM_FILTER and key_type is not None:
            raise _err(errno.EINVAL, "bloom filters have no key")
        elif t == MapType.BPF_MAP_TYPE_LPM_TRIE and (key_type is None
                                                     or key_type.kind != KIND_STRUCT):
            raise _err(errno.EINVAL, "LPM trie keys are structs (bpf_lpm_trie_key_u8)")
        elif t in _NO_BTF_TYPES:
            raise _err(ENOTSUPP, "this map type takes no BTF")
        self.btf, self.record = btf_obj, record
        self.btf_id = btf_obj.id
        self.cmap.set_spin_lock_off(record.spin_lock_off if record is not None else -1)

    @property
    def spin_lock_off(self) -> int:
        return self.record.spin_lock_off if self.record is not None else -1

    # attributes ----------------------------------------------------------------

    @property
    def map_type(self) -> int:
        return self.attrs.map_type

    @property
    def key_size(self) -> int:
        return self.attrs.key_size

    @property
    def value_size(self) -> int:
        return self.attrs.value_size

    @property
    def max_entries(self) -> int:
        return self.attrs.max_entries

    @property
    def map_flags(self) -> int:
        return self.attrs.map_flags

    @property
    def name(self) -> str:
        return self.attrs.map_name

    @property
    def user_value_size(self) -> int:
        """Bytes of a value in bpf() calls: per-CPU values are 8-byte rounded times CPUs."""
        if self.map_type in PERCPU_TYPES:
            return (self.value_size + 7) // 8 * 8 * self.ncpus
        return self.value_size

    @property
    def address(self) -> int:
        return self.cmap.address

    def can_read(self) -> bool:
        return not self.map_flags & uapi.BPF_F_WRONLY

    def can_write(self) -> bool:
        return not self.map_flags & uapi.BPF_F_RDONLY and not self.frozen

    def inner_maps(self) -> list[BpfMap]:
        """Maps held by a map-in-map (the runtime exposes them to programs too)."""
        if self.map_type == MapType.BPF_MAP_TYPE_ARRAY_OF_MAPS:
            out = []
            for i in range(self.max_entries):
                try:
                    out.append(self.cmap.slot(i))
                except BPFError:
                    pass
            return out
        if self.map_type == MapType.BPF_MAP_TYPE_HASH_OF_MAPS:
            return [m for m in self._hash_refs().values()]
        return []

    def _hash_refs(self) -> dict:
        out = {}
        key = None
        while True:
            try:
                key = self.cmap.next_key(key)
            except BPFError:
                return out
            out[key] = self.cmap.kept(key)

    # user-space operations (the kernel's syscall side) ---------------------------

    def lookup(self, key: bytes | None, flags: int = 0, value_in: bytes | None = None) -> bytes:
        t = self.map_type
        if flags & ~uapi.BPF_F_LOCK:
            raise _err(errno.EINVAL, "lookup flags")
        if not self.can_read():
            raise _err(errno.EPERM, "map is write-only for user space")
        if flags & uapi.BPF_F_LOCK and self.spin_lock_off < 0:
            raise _err(errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value")
        if t in OBJECT_TYPES:
            return self._object_lookup(bytes(key or b""))
        if t in QUEUE_TYPES:
            return self.cmap.pop(False)
        if t == MapType.BPF_MAP_TYPE_BLOOM_FILTER:
            if not self.cmap.contains_value(value_in or bytes(self.value_size)):
                raise _err(errno.ENOENT, "not in the bloom filter")
            return value_in or bytes(self.value_size)
        if t == MapType.BPF_MAP_TYPE_RINGBUF:
            raise _err(ENOTSUPP, "ring buffers have no elements")
        if t == MapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY:
            raise _err(ENOTSUPP, "perf event arrays cannot be read")
        if t in (MapType.BPF_MAP_TYPE_PROG_ARRAY, MapType.BPF_MAP_TYPE_ARRAY_OF_MAPS):
            idx = int.from_bytes(bytes(key or b""), "little")
            if len(bytes(key or b"")) != 4:
                raise _err(errno.EINVAL, "key must be 4 bytes")
            if idx >= self.max_entries:
                raise _err(errno.ENOENT, "index out of range")
            return self.cmap.slot(idx).id.to_bytes(4, "little")
        if t == MapType.BPF_MAP_TYPE_HASH_OF_MAPS:
            self.cmap.lookup(key)
            return self.cmap.kept(bytes(key)).id.to_bytes(4, "little")
        return self.user_value(self.cmap.lookup(key, locked=bool(flags & uapi.BPF_F_LOCK)))

    def user_value(self, raw: bytes) -> bytes:
        """check_and_init_map_value: user space sees the special fields as zeros."""
        if self.record is None or self.map_type in PERCPU_TYPES:
            return raw
        out = bytearray(raw)
        for f in self.record.fields:
            out[f.offset:f.offset + f.size] = bytes(f.size)
        return bytes(out)

    def update(self, key: bytes | None, value: bytes, flags: int = 0,
               resolve: Callable[[int], Any] | None = None) -> None:
        t = self.map_type
        if not self.can_write():
            raise _err(errno.EPERM, "map is read-only for user space" +
                       (" (frozen)" if self.frozen else ""))
        if flags & uapi.BPF_F_LOCK and self.spin_lock_off < 0:
            raise _err(errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value")
        if t in QUEUE_TYPES or t == MapType.BPF_MAP_TYPE_BLOOM_FILTER:
            self.cmap.push(value, flags)
            return
        if t in OBJECT_TYPES:
            self._object_update(bytes(key or b""), bytes(value), flags, resolve)
            return
        if t == MapType.BPF_MAP_TYPE_RINGBUF:
            raise _err(ENOTSUPP, "ring buffers have no elements")
        if t in FD_ARRAY_TYPES or t == MapType.BPF_MAP_TYPE_HASH_OF_MAPS:
            self._update_fd(key, value, flags, resolve)
            return
        self.cmap.update(key, value, flags)

    def _update_fd(self, key: bytes | None, value: bytes, flags: int,
                   resolve: Callable[[int], Any] | None) -> None:
        from pyebpf import _maps

        t = self.map_type
        if flags > uapi.BPF_EXIST:
            raise _err(errno.EINVAL, "update flags")
        key = bytes(key or b"")
        if len(key) != self.key_size:
            raise _err(errno.EINVAL, "key size")
        fd = int.from_bytes(bytes(value)[:4], "little", signed=True)
        if t in FD_ARRAY_TYPES:
            idx = int.from_bytes(key, "little")
            if idx >= self.max_entries:
                raise _err(errno.E2BIG, "index out of range")
            if flags == uapi.BPF_NOEXIST:
                raise _err(errno.EEXIST, "array slots always exist")
        obj = resolve(fd) if resolve is not None else None
        if t == MapType.BPF_MAP_TYPE_PROG_ARRAY:
            prog = obj
            if prog is None or not hasattr(prog, "core"):
                raise _err(errno.EBADF if prog is None else errno.EINVAL, "not a program fd")
            if self.owner_prog_type is not None and prog.prog_type != self.owner_prog_type:
                raise _err(errno.EINVAL, "programs of one prog array must share a type")
            self.owner_prog_type = prog.prog_type
            insns, n = _maps.slot_pointer(prog.core)
            self.cmap.set_slot(idx, prog, insns, n)
            return
        if t == MapType.BPF_MAP_TYPE_PERF_EVENT_ARRAY:
            raise _err(errno.EBADF, "not a perf event fd (pyebpf has no perf events)")
        inner = obj
        if not isinstance(inner, BpfMap):
            raise _err(errno.EBADF, "not a map fd")
        meta = self.inner_meta
        assert meta is not None
        same = (inner.map_type == meta.map_type and inner.key_size == meta.key_size
                and inner.value_size == meta.value_size
                and inner.map_flags == meta.map_flags
                and (meta.map_flags & uapi.BPF_F_INNER_MAP
                     or inner.max_entries == meta.max_entries))
        if not same:
            raise _err(errno.EINVAL, "inner map does not match the template")
        if t == MapType.BPF_MAP_TYPE_ARRAY_OF_MAPS:
            self.cmap.set_slot(idx, inner, inner.address)
        else:
            self.cmap.update(key, inner.address.to_bytes(8, "little"), flags)
            self.cmap.keep(key, inner)

    def delete(self, key: bytes | None) -> None:
        t = self.map_type
        if not self.can_write():
            raise _err(errno.EPERM, "map is read-only for user space")
        if t in OBJECT_TYPES:
            self._object_delete(bytes(key or b""))
            return
        if t in QUEUE_TYPES or t in ARRAY_TYPES:
            raise _err(errno.EINVAL, "elements of this map type cannot be deleted")
        if t == MapType.BPF_MAP_TYPE_BLOOM_FILTER:
            raise _err(errno.EOPNOTSUPP, "bloom filters cannot delete")
        if t == MapType.BPF_MAP_TYPE_RINGBUF:
            raise _err(ENOTSUPP, "ring buffers have no elements")
        if t in FD_ARRAY_TYPES:
            key = bytes(key or b"")
            if len(key) != 4:
                raise _err(errno.EINVAL, "key size")
            self.cmap.clear_slot(int.from_bytes(key, "little"))
            return
        self.cmap.delete(key)
        if t == MapType.BPF_MAP_TYPE_HASH_OF_MAPS:
            self.cmap.keep(bytes(key), None)

    def next_key(self, key: bytes | None) -> bytes:
        t = self.map_type
        if not self.can_read():
            raise _err(errno.EPERM, "map is write-only for user space")
        if t in QUEUE_TYPES:
            raise _err(errno.EINVAL, "queues and stacks have no keys")
        if t == MapType.BPF_MAP_TYPE_BLOOM_FILTER:
            raise _err(errno.EOPNOTSUPP, "bloom filters have no keys")
        if t == MapType.BPF_MAP_TYPE_RINGBUF:
            raise _err(ENOTSUPP, "ring buffers have no keys")
        if t in INDEXED_TYPES:
            idx = int.from_bytes(bytes(key), "little") if key is not None else 1 << 32
            if idx >= self.max_entries:
                return bytes(4)
            if idx == self.max_entries - 1:
                raise _err(errno.ENOENT, "no more keys")
            return (idx + 1).to_bytes(4, "little")
        if t == STACK_TRACE:
            return self._stack_next(key)
        return self.cmap.next_key(key)

    # maps of kernel objects ------------------------------------------------------------

    def _present(self, key: bytes) -> bytes | None:
        try:
            return self.cmap.lookup(key)
        except BPFError:
            return None

    @property
    def n_buckets(self) -> int:
        """A stack trace map's ids: 0..roundup_pow_of_two(max_entries) - 1."""
        return 1 << max(self.max_entries - 1, 0).bit_length()

    def _stack_next(self, key: bytes | None) -> bytes:
        idx = 0
        if key is not None:
            idx = int.from_bytes(bytes(key), "little")
            idx = 0 if idx >= self.n_buckets or self._present(bytes(key)) is None else idx + 1
        present = sorted(int.from_bytes(k, "little") for k in self.keys())
        for i in present:
            if i >= idx:
                return i.to_bytes(4, "little")
        raise _err(errno.ENOENT, "no more stack ids")

    def _object_lookup(self, key: bytes) -> bytes:
        t = self.map_type
        if t == XSKMAP:
            raise _err(errno.EOPNOTSUPP, "AF_XDP sockets cannot be read from user space")
        if t == CGROUP_ARRAY:
            raise _err(ENOTSUPP, "cgroup arrays cannot be read from user space")
        if t in (SOCKMAP, SOCKHASH) and self.value_size != 8:
            raise _err(errno.ENOSPC, "a socket's cookie needs an 8-byte value")
        value = self._present(key)
        if value is None:
            raise _err(errno.ENOENT, "no entry")
        return value

    def _object_update(self, key: bytes, value: bytes, flags: int,
                       resolve: Callable[[int], Any] | None) -> None:
        t = self.map_type
        if t == STACK_TRACE:
            raise _err(errno.EINVAL, "stack traces are written by bpf_get_stackid only")
        idx = int.from_bytes(key[:4], "little")
        if t in (SOCKMAP, SOCKHASH):
            fd = int.from_bytes(value[:self.value_size], "little")
            if fd > 0x7FFFFFFF:
                raise _err(errno.EINVAL, "socket fd out of range")
            cookie = _socket_cookie(fd)
            if flags > uapi.BPF_EXIST:
                raise _err(errno.EINVAL, "update flags")
            if t == SOCKMAP and idx >= self.max_entries:
                raise _err(errno.E2BIG, "index out of range")
            self.cmap.update(key, cookie.to_bytes(8, "little"), flags)
            return
        if t == XSKMAP:
            if flags > uapi.BPF_EXIST:
                raise _err(errno.EINVAL, "update flags")
            if idx >= self.max_entries:
                raise _err(errno.E2BIG, "index out of range")
            _socket_cookie(int.from_bytes(value[:4], "little", signed=True), xdp=True)
            raise AssertionError("unreachable: _socket_cookie refuses every non-XDP socket")
        if t == CGROUP_ARRAY:
            if flags != uapi.BPF_ANY:       # bpf_fd_array_map_update_elem
                raise _err(errno.EINVAL, "fd array updates take BPF_ANY only")
            if idx >= self.max_entries:
                raise _err(errno.E2BIG, "index out of range")
            fd = int.from_bytes(value[:4], "little", signed=True)
            cg = _cgroup_id(fd)
            # the directory, for bpf_{skb,current_task}_under_cgroup's ancestry checks
            self.cgroup_paths[idx] = os.path.realpath(f"/proc/self/fd/{fd}")
            self.cmap.update(key, cg.to_bytes(8, "little"), 0)
            return
        if flags > uapi.BPF_EXIST:
            raise _err(errno.EINVAL, "update flags")
        first = int.from_bytes(value[:4], "little")     # ifindex or qsize
        prog_fd = int.from_bytes(value[4:8], "little", signed=True) if len(value) > 4 else 0
        if t == DEVMAP_HASH:
            if first == 0:
                raise _err(errno.EINVAL, "a devmap hash entry needs an ifindex")
            if self._present(key) is not None and flags == uapi.BPF_NOEXIST:
                raise _err(errno.EEXIST, "key exists")
        else:
            if idx >= self.max_entries:
                raise _err(errno.E2BIG, "index out of range")
            if flags == uapi.BPF_NOEXIST:
                raise _err(errno.EEXIST, "array slots always exist")
        if t == CPUMAP:
            if first > CPUMAP_MAX_QSIZE:
                raise _err(errno.EOVERFLOW, "qsize above 16384")
            if idx >= self.ncpus:
                raise _err(errno.ENODEV, f"CPU {idx} is not possible")
        if first == 0:          # ifindex 0 or qsize 0: the entry is removed
            if t == DEVMAP and prog_fd > 0:
                raise _err(errno.EINVAL, "a program needs a device")
            self._drop(key)
            return
        if t in (DEVMAP, DEVMAP_HASH) and first not in IFINDEXES:
            raise _err(errno.EINVAL, f"no device with ifindex {first}")
        prog_id = 0
        if prog_fd > 0:
            want = uapi.BpfAttachType.BPF_XDP_CPUMAP if t == CPUMAP else \
                uapi.BpfAttachType.BPF_XDP_DEVMAP
            prog = None
            try:
                prog = resolve(prog_fd) if resolve is not None else None
            except BPFError:
                prog = None
            if prog is None or getattr(prog, "prog_type", None) != \
                    uapi.BpfProgType.BPF_PROG_TYPE_XDP or prog.expected_attach_type != want:
                # __cpu_map_entry_alloc fails as a whole: ENOMEM; devmap: EINVAL
                raise _err(errno.ENOMEM if t == CPUMAP else errno.EINVAL,
                           f"fd {prog_fd} is not an XDP program for this map")
            prog_id = prog.id
        stored = first.to_bytes(4, "little")
        if self.value_size == 8:
            stored += prog_id.to_bytes(4, "little")
        self.cmap.update(key, stored, 0)

    def _drop(self, key: bytes) -> None:
        try:
            self.cmap.delete(key)
        except BPFError:
            pass

    def _object_delete(self, key: bytes) -> None:
        t = self.map_type
        idx = int.from_bytes(key[:4], "little")
        if t == STACK_TRACE:
            if idx >= self.n_buckets:
                raise _err(errno.E2BIG, "stack id out of range")
            self.cmap.delete(key)
        elif t in (DEVMAP_HASH, SOCKHASH):
            self.cmap.delete(key)
        elif t == CGROUP_ARRAY:
            if idx >= self.max_entries:
                raise _err(errno.E2BIG, "index out of range")
            self.cmap.delete(key)
        else:
            if idx >= self.max_entries:
                raise _err(errno.EINVAL, "index out of range")
            if t == SOCKMAP and self._present(key) is None:
                raise _err(errno.EINVAL, "no socket at this index")
            self._drop(key)

    def lookup_and_delete(self, key: bytes | None, flags: int = 0) -> bytes:
        t = self.map_type
        if flags & ~uapi.BPF_F_LOCK or (flags and t in QUEUE_TYPES):
            raise _err(errno.EINVAL, "lookup_and_delete flags")
        if not self.can_read() or not self.can_write():
            raise _err(errno.EPERM, "map is not readable and writable from user space")
        if flags & uapi.BPF_F_LOCK and self.spin_lock_off < 0:
            raise _err(errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value")
        if t in QUEUE_TYPES:
            return self.cmap.pop(True)
        if t in HASH_TYPES:
            value = self.user_value(self.cmap.lookup(key,
                                                     locked=bool(flags & uapi.BPF_F_LOCK)))
            self.cmap.delete(key)
            return value
        raise _err(ENOTSUPP, "lookup_and_delete needs a hash, queue or stack")

    def freeze(self) -> None:
        # A frozen map has lost write permission, so a second freeze is EPERM (the
        # kernel checks permissions before its EBUSY "already frozen").
        if not self.can_write():
            raise _err(errno.EPERM, "map is read-only or already frozen")
        self.frozen = True

    # batches: the kernel's generic_map_*_batch (arrays) and htab batch semantics -----

    def keys(self) -> list[bytes]:
        out, key = [], None
        while True:
            try:
                key = self.cmap.next_key(key)
            except BPFError:
                return out
            out.append(key)

    # perf event arrays: pyebpf's stand-in for perf buffers ------------------------------

    def open_perf_reader(self, index: int) -> deque:
        """Make slot ``index`` deliver bpf_perf_event_output records to a deque."""
        if not 0 <= index < self.max_entries:
            raise _err(errno.E2BIG, "index out of range")
        return self.perf_readers.setdefault(index, deque())
