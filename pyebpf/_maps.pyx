# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, nonecheck=False
"""Map storage in C and the helpers programs call most (lookup/update/delete).

Every map is a :c:type:`MapC` over slabs preallocated at creation, as the
kernel does for its default (preallocated) maps: a full map never allocates,
an update that fails changes nothing.  The C-level functions return 0 or a
negative errno exactly as the kernel's ``map_ops`` do; :class:`CMap` turns
those into :class:`pyebpf.errors.BPFError` for Python callers.

Values of every map live in ONE slab (``MapC.values``): the runtime registers
it with :meth:`pyebpf._core.VM.set_static_regions` so that a program may
dereference what ``bpf_map_lookup_elem`` returned, and nothing else.  Keys and
index arrays are in other allocations that programs cannot reach, so even an
unverified program that writes past a value cannot corrupt the map structure.

A map is guarded by a small spin lock (the GIL is released while programs
run, so two threads may run programs on one map at once).
"""

from cpython.pycapsule cimport PyCapsule_New
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free
from libc.string cimport memcmp, memcpy, memset

from pyebpf._core cimport (
    FAULT_PYTHON,
    FAULT_READ,
    FAULT_WRITE,
    HELPER_EXIT,
    HELPER_FAULT,
    HELPER_OK,
    HELPER_TAIL_CALL,
    REGION_READ,
    REGION_WRITE,
    TAIL_CALL_LIMIT,
    VM,
    Insn,
    Executable,
    VMState,
    vm_access,
    vm_fault,
)

import errno as _errno

from pyebpf.errors import BPFError, HelperError
from pyebpf._core import release_after_runs

cdef extern from * nogil:
    """
    #include <stdint.h>
    #include <string.h>
    #include <time.h>
    #define RB_BUSY 0x80000000u
    static inline uint32_t pyebpf_hash(const uint8_t *p, uint32_t n, uint32_t seed) {
        uint64_t h = (((uint64_t)seed + 1) * 0xD6E8FEB86659FD93ULL) ^ ((uint64_t)n * 0x9E3779B97F4A7C15ULL);
        h ^= h >> 29;
        uint64_t v;
        while (n >= 8) {
            memcpy(&v, p, 8);
            h = (h ^ v) * 0xbf58476d1ce4e5b9ULL; h ^= h >> 31;
            p += 8; n -= 8;
        }
        if (n) {
            v = 0; memcpy(&v, p, n);
            h = (h ^ v) * 0x94d049bb133111ebULL; h ^= h >> 29;
        }
        h *= 0xd6e8feb86659fd93ULL; h ^= h >> 32;
        return (uint32_t)h;
    }
    static inline void pyebpf_lock(int *l) {
        while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
            while (__atomic_load_n(l, __ATOMIC_RELAXED)) __builtin_ia32_pause();
        }
    }
    static inline void pyebpf_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }
    /* A bpf_spin_lock may sit at an odd offset of a packed value (the kernel accepts
       that): word atomics may not reach it, so such locks are taken under one guard. */
    static int pyebpf_unaligned_guard;
    static inline int pyebpf_trylock32(uint8_t *p) {
        uint32_t expected = 0, v;
        int ok;
        if (((uintptr_t)p & 3) == 0)
            return __atomic_compare_exchange_n((uint32_t *)p, &expected, 1, 0,
                                               __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
        pyebpf_lock(&pyebpf_unaligned_guard);
        memcpy(&v, p, 4);
        ok = v == 0;
        if (ok) {
            v = 1;
            memcpy(p, &v, 4);
        }
        pyebpf_unlock(&pyebpf_unaligned_guard);
        return ok;
    }
    static inline void pyebpf_unlock32(uint8_t *p) {
        if (((uintptr_t)p & 3) == 0) {
            __atomic_store_n((uint32_t *)p, 0, __ATOMIC_RELEASE);
            return;
        }
        pyebpf_lock(&pyebpf_unaligned_guard);
        memset(p, 0, 4);
        pyebpf_unlock(&pyebpf_unaligned_guard);
    }
    static inline uint64_t pyebpf_clock(int which) {
        struct timespec ts;
        clockid_t id = which == 0 ? CLOCK_MONOTONIC : which == 1 ? CLOCK_BOOTTIME
                                                     : CLOCK_MONOTONIC_COARSE;
        clock_gettime(id, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    }
    """
    uint32_t pyebpf_hash(const uint8_t *p, uint32_t n, uint32_t seed)
    void pyebpf_lock(int *l)
    void pyebpf_unlock(int *l)
    int pyebpf_trylock32(uint8_t *p)
    void pyebpf_unlock32(uint8_t *p)
    uint64_t pyebpf_clock(int which)
    uint32_t RB_BUSY


# enum bpf_map_type (include/uapi/linux/bpf.h)
cdef enum:
    T_HASH = 1
    T_ARRAY = 2
    T_PROG_ARRAY = 3
    T_PERF_EVENT_ARRAY = 4
    T_PERCPU_HASH = 5
    T_PERCPU_ARRAY = 6
    T_LRU_HASH = 9
    T_LRU_PERCPU_HASH = 10
    T_LPM_TRIE = 11
    T_ARRAY_OF_MAPS = 12
    T_HASH_OF_MAPS = 13
    T_QUEUE = 22
    T_STACK = 23
    T_RINGBUF = 27
    T_BLOOM_FILTER = 30

    F_ANY = 0
    F_NOEXIST = 1
    F_EXIST = 2
    F_LOCK = 4

    RB_DISCARD = 0x40000000
    RB_HDR = 8

    EPERM = 1
    EAGAIN_ = 11
    ENOENT = 2
    EFAULT = 14
    EBUSY = 16
    EEXIST = 17
    EINVAL = 22
    ENOSPC = 28
    E2BIG = 7
    ENOMEM = 12
    EOPNOTSUPP = 95
    ENOTSUPP = 524


cdef inline bint is_hash(uint32_t t) noexcept nogil:
    return (t == T_HASH or t == T_PERCPU_HASH or t == T_LRU_HASH or t == T_LRU_PERCPU_HASH
            or t == T_HASH_OF_MAPS)


cdef inline bint is_lru(uint32_t t) noexcept nogil:
    return t == T_LRU_HASH or t == T_LRU_PERCPU_HASH


cdef inline bint is_array(uint32_t t) noexcept nogil:
    return t == T_ARRAY or t == T_PERCPU_ARRAY


cdef inline bint is_fd_array(uint32_t t) noexcept nogil:
    return t == T_PROG_ARRAY or t == T_PERF_EVENT_ARRAY or t == T_ARRAY_OF_MAPS


# --- hash tables: chains over a preallocated element slab -----------------------

cdef inline uint8_t *key_at(MapC *m, uint32_t i) noexcept nogil:
    return m.keys + <uint64_t>i * m.key_size


cdef inline uint8_t *value_at(MapC *m, uint32_t i) noexcept nogil:
    return m.values + <uint64_t>i * m.elem_size


cdef uint32_t hash_find(MapC *m, const uint8_t *key, uint32_t h) noexcept nogil:
    # The walk is bounded: a lock-free reader racing a writer in another thread may
    # see a chain being relinked, and must neither loop nor leave the slab.
    cdef uint32_t i = m.buckets[h & (m.nbuckets - 1)]
    cdef uint32_t steps = 0
    while i < m.max_entries and steps <= m.max_entries:
        if m.hashes[i] == h and memcmp(key_at(m, i), key, m.key_size) == 0:
            return i
        i = m.next[i]
        steps += 1
    return NIL


# --- LRU hash maps: the kernel's common LRU lists (kernel/bpf/bpf_lru_list.c) ----
#
# Elements live on one of five lists: the global free, active and inactive lists and
# one local free and pending list (the kernel keeps those per CPU; pyebpf keeps one, as
# the kernel's on a single CPU).  An update takes a free element (moving pending ones to
# the global lists, rotating them, and shrinking the inactive list when none is free),
# a program's lookup sets the element's referenced bit, which saves it from the next
# shrink.  Each list is circular, its head an extra node after the elements.

cdef enum:
    L_FREE = 0
    L_LOCAL_FREE = 1
    L_PENDING = 2
    L_ACTIVE = 3
    L_INACTIVE = 4
    L_LISTS = 5
    L_TYPE = 7          # lru_state bits: the list ...
    L_HASHED = 0x40     # ... in the hash table ...
    L_REF = 0x80        # ... referenced
    LRU_NR_SCANS = 128  # LOCAL_NR_SCANS, also LOCAL_FREE_TARGET


cdef inline uint32_t lhead(MapC *m, int t) noexcept nogil:
    return m.max_entries + t


cdef inline void l_del(MapC *m, uint32_t i) noexcept nogil:
    m.lru_next[m.lru_prev[i]] = m.lru_next[i]
    m.lru_prev[m.lru_next[i]] = m.lru_prev[i]


cdef inline void l_add(MapC *m, uint32_t i, uint32_t h) noexcept nogil:
    cdef uint32_t n = m.lru_next[h]
    m.lru_next[i] = n
    m.lru_prev[i] = h
    m.lru_prev[n] = i
    m.lru_next[h] = i


cdef inline int ltype(MapC *m, uint32_t i) noexcept nogil:
    return m.lru_state[i] & L_TYPE


cdef inline void lru_count(MapC *m, int t, int delta) noexcept nogil:
    if t == L_ACTIVE or t == L_INACTIVE:
        m.lru_counts[t - L_ACTIVE] += delta


cdef void lru_init(MapC *m) noexcept nogil:
    """bpf_common_lru_populate: every element on the free list."""
    cdef uint32_t i
    for i in range(L_LISTS):
        m.lru_prev[lhead(m, i)] = lhead(m, i)
        m.lru_next[lhead(m, i)] = lhead(m, i)
    for i in range(m.max_entries):
        m.lru_state[i] = L_FREE
        l_add(m, i, lhead(m, L_FREE))
    m.lru_counts[0] = 0
    m.lru_counts[1] = 0
    m.lru_rot = lhead(m, L_INACTIVE)
    # the kernel's target_free: half an even share of the elements per CPU, 1..128
    m.lru_target = max(1, min(LRU_NR_SCANS, m.max_entries // max(m.ncpus, 1) // 2))


cdef void lru_move(MapC *m, uint32_t i, int tgt) noexcept nogil:
    """__bpf_lru_node_move: to the head of another global list, referenced bit cleared."""
    lru_count(m, ltype(m, i), -1)
    lru_count(m, tgt, 1)
    m.lru_state[i] = (m.lru_state[i] & L_HASHED) | tgt
    if i == m.lru_rot:
        m.lru_rot = m.lru_prev[i]
    l_del(m, i)
    l_add(m, i, lhead(m, tgt))


cdef void lru_move_to_free(MapC *m, uint32_t i, int tgt) noexcept nogil:
    if i == m.lru_rot:
        m.lru_rot = m.lru_prev[i]
    lru_count(m, ltype(m, i), -1)
    m.lru_state[i] = (m.lru_state[i] & L_HASHED) | tgt
    l_del(m, i)
    l_add(m, i, lhead(m, tgt))


cdef void bucket_remove(MapC *m, uint32_t i) noexcept nogil:
    """Take element ``i`` out of its bucket chain."""
    cdef uint32_t *link = &m.buckets[m.hashes[i] & (m.nbuckets - 1)]
    while link[0] != i:
        link = &m.next[link[0]]
    link[0] = m.next[i]
    m.count -= 1
    if is_lru(m.map_type):
        m.lru_state[i] &= ~L_HASHED


cdef bint lru_del_from_htab(MapC *m, uint32_t i) noexcept nogil:
    """htab_lru_map_delete_node: evict ``i`` from the table (False: not in it)."""
    if not m.lru_state[i] & L_HASHED:
        return False
    bucket_remove(m, i)
    return True


cdef void lru_rotate_active(MapC *m) noexcept nogil:
    cdef uint32_t h = lhead(m, L_ACTIVE)
    cdef uint32_t first = m.lru_next[h]
    cdef uint32_t i = m.lru_prev[h]
    cdef uint32_t p
    cdef int n = 0
    while i != h:
        p = m.lru_prev[i]
        lru_move(m, i, L_ACTIVE if m.lru_state[i] & L_REF else L_INACTIVE)
        n += 1
        if n == LRU_NR_SCANS or i == first:
            break
        i = p


cdef void lru_rotate_inactive(MapC *m) noexcept nogil:
    cdef uint32_t h = lhead(m, L_INACTIVE)
    cdef uint32_t last, cur, nxt = h
    cdef int n = 0
    if m.lru_next[h] == h:
        return
    last = m.lru_next[m.lru_rot]
    if last == h:
        last = m.lru_next[last]
    cur = m.lru_rot
    while n < LRU_NR_SCANS:
        if cur == h:
            cur = m.lru_prev[cur]
            continue
        nxt = m.lru_prev[cur]
        if m.lru_state[cur] & L_REF:
            lru_move(m, cur, L_ACTIVE)
        if cur == last:
            break
        cur = nxt
        n += 1
    m.lru_rot = nxt


cdef uint32_t lru_shrink(MapC *m, uint32_t want) noexcept nogil:
    """__bpf_lru_list_shrink: up to ``want`` inactive elements evicted to the local free
    list, referenced ones spared; if none, the oldest element evicted regardless."""
    cdef uint32_t h = lhead(m, L_INACTIVE)
    cdef uint32_t i, p
    cdef uint32_t got = 0
    cdef int n = 0
    if m.lru_counts[1] < m.lru_counts[0]:
        lru_rotate_active(m)
    i = m.lru_prev[h]
    while i != h:
        p = m.lru_prev[i]
        if m.lru_state[i] & L_REF:
            lru_move(m, i, L_ACTIVE)
        elif lru_del_from_htab(m, i):
            lru_move_to_free(m, i, L_LOCAL_FREE)
            got += 1
            if got == want:
                break
        n += 1
        if n == LRU_NR_SCANS:
            break
        i = p
    if got:
        return got
    h = lhead(m, L_INACTIVE) if m.lru_next[h] != h else lhead(m, L_ACTIVE)
    i = m.lru_prev[h]
    while i != h:
        p = m.lru_prev[i]
        if lru_del_from_htab(m, i):
            lru_move_to_free(m, i, L_LOCAL_FREE)
            return 1
        i = p
    return 0


cdef void lru_pop_free_to_local(MapC *m) noexcept nogil:
    cdef uint32_t h = lhead(m, L_PENDING)
    cdef uint32_t i = m.lru_prev[h]
    cdef uint32_t p, nfree = 0
    while i != h:            # __local_list_flush, oldest first
        p = m.lru_prev[i]
        lru_count(m, L_ACTIVE if m.lru_state[i] & L_REF else L_INACTIVE, 1)
        m.lru_state[i] = (m.lru_state[i] & L_HASHED) | (
            L_ACTIVE if m.lru_state[i] & L_REF else L_INACTIVE)
        l_del(m, i)
        l_add(m, i, lhead(m, ltype(m, i)))
        i = p
    if m.lru_counts[1] < m.lru_counts[0]:
        lru_rotate_active(m)
    lru_rotate_inactive(m)
    h = lhead(m, L_FREE)
    i = m.lru_next[h]
    while i != h and nfree < m.lru_target:
        p = m.lru_next[i]
        lru_move_to_free(m, i, L_LOCAL_FREE)
        nfree += 1
        i = p
    if nfree < m.lru_target:
        lru_shrink(m, m.lru_target - nfree)


cdef inline void lru_add_pending(MapC *m, uint32_t i) noexcept nogil:
    m.lru_state[i] = (m.lru_state[i] & L_HASHED) | L_PENDING
    l_del(m, i)
    l_add(m, i, lhead(m, L_PENDING))


cdef uint32_t lru_pop_free(MapC *m) noexcept nogil:
    """bpf_common_lru_pop_free: a free element, evicting when there is none (NIL: none
    could be found)."""
    cdef uint32_t h = lhead(m, L_LOCAL_FREE)
    cdef uint32_t i = m.lru_next[h]
    cdef int force
    if i == h:
        lru_pop_free_to_local(m)
        i = m.lru_next[h]
    if i != h:
        lru_add_pending(m, i)
        return i
    # steal from the pending list, unreferenced elements first
    h = lhead(m, L_PENDING)
    for force in range(2):
        i = m.lru_prev[h]
        while i != h:
            if (force or not m.lru_state[i] & L_REF) and lru_del_from_htab(m, i):
                lru_add_pending(m, i)
                return i
            i = m.lru_prev[i]
    return NIL


cdef void lru_push_free(MapC *m, uint32_t i) noexcept nogil:
    """bpf_common_lru_push_free: a pending element back to the local free list, any
    other to the global one."""
    if ltype(m, i) == L_PENDING:
        m.lru_state[i] = L_LOCAL_FREE
        l_del(m, i)
        l_add(m, i, lhead(m, L_LOCAL_FREE))
        return
    lru_move_to_free(m, i, L_FREE)
    m.lru_state[i] &= ~L_REF


cdef void hash_link(MapC *m, uint32_t i, uint32_t h) noexcept nogil:
    cdef uint32_t b = h & (m.nbuckets - 1)
    m.hashes[i] = h
    m.next[i] = m.buckets[b]
    m.buckets[b] = i
    m.count += 1
    if is_lru(m.map_type):
        m.lru_state[i] |= L_HASHED


cdef void hash_unlink(MapC *m, uint32_t i) noexcept nogil:
    """Take element ``i`` out of its bucket chain and free it."""
    bucket_remove(m, i)
    if is_lru(m.map_type):
        lru_push_free(m, i)
        return
    m.next[i] = m.free_head
    m.free_head = i


cdef void copy_value(MapC *m, uint8_t *dst, const uint8_t *value) noexcept nogil:
    """copy_map_value: every byte but the value's bpf_spin_lock, which stays as it is."""
    cdef int32_t off = m.spin_lock_off
    if off < 0:
        memcpy(dst, value, m.value_size)
        return
    memcpy(dst, value, off)
    memcpy(dst + off + 4, value + off + 4, m.value_size - off - 4)


cdef void lock_value(uint8_t *lock) noexcept nogil:
    """Take a value's bpf_spin_lock (as bpf_spin_lock does; a lock never released is
    taken over after a bounded wait instead of hanging the caller)."""
    cdef long spins = 0
    while not pyebpf_trylock32(lock):
        spins += 1
        if spins > 100000000:
            return


cdef void write_value(MapC *m, uint8_t *dst, const uint8_t *value, int32_t cpu,
                      bint onallcpus, bint fresh) noexcept nogil:
    cdef uint32_t c
    if not m.percpu:
        if fresh:
            memset(dst, 0, m.elem_size)
        copy_value(m, dst, value)
    elif onallcpus:
        # User space passes every CPU's value, each rounded up to 8 bytes.
        for c in range(m.ncpus):
            memcpy(dst + c * m.stride, value + c * m.stride, m.value_size)
    else:
        # A program sets its own CPU's value; a new element is zero elsewhere.
        if fresh:
            memset(dst, 0, m.elem_size)
        memcpy(dst + (<uint32_t>cpu % m.ncpus) * m.stride, value, m.value_size)


cdef int lru_update(MapC *m, const uint8_t *key, uint32_t h, const uint8_t *value,
                    uint64_t flags, int32_t cpu, bint onallcpus) noexcept nogil:
    """htab_lru_map_update_elem / __htab_lru_percpu_map_update_elem.

    A free element is taken before the key is looked up (prealloc_lru_pop), so on a full
    map an update evicts even when it then replaces the key or its flags refuse it.  The
    new element replaces an existing one (marked referenced); per-CPU values are updated
    in place instead, and BPF_EXIST takes no element there.
    """
    cdef uint32_t fresh = NIL
    cdef uint32_t old
    cdef int rc = 0
    if not (m.percpu and flags == F_EXIST):
        fresh = lru_pop_free(m)
        if fresh == NIL:
            return -ENOMEM
    old = hash_find(m, key, h)
    if flags == F_NOEXIST and old != NIL:
        rc = -EEXIST
    elif flags == F_EXIST and old == NIL:
        rc = -ENOENT
    elif m.percpu and old != NIL:
        m.lru_state[old] |= L_REF
        write_value(m, value_at(m, old), value, cpu, onallcpus, False)
    else:
        memcpy(key_at(m, fresh), key, m.key_size)
        write_value(m, value_at(m, fresh), value, cpu, onallcpus, True)
        hash_link(m, fresh, h)
        if old != NIL:
            m.lru_state[fresh] |= L_REF
            bucket_remove(m, old)
            lru_push_free(m, old)
        return 0
    if fresh != NIL:
        lru_push_free(m, fresh)
    return rc


cdef int hash_update(MapC *m, const uint8_t *key, const uint8_t *value, uint64_t flags,
                     int32_t cpu, bint onallcpus) noexcept nogil:
    cdef uint32_t h = pyebpf_hash(key, m.key_size, m.seed)
    cdef uint32_t i
    if is_lru(m.map_type):
        return lru_update(m, key, h, value, flags, cpu, onallcpus)
    i = hash_find(m, key, h)
    if i != NIL:
        if flags == F_NOEXIST:
            return -EEXIST
        write_value(m, value_at(m, i), value, cpu, onallcpus, False)
        return 0
    if flags == F_EXIST:
        return -ENOENT
    if m.free_head == NIL:
        return -E2BIG
    i = m.free_head
    m.free_head = m.next[i]
    memcpy(key_at(m, i), key, m.key_size)
    write_value(m, value_at(m, i), value, cpu, onallcpus, True)
    hash_link(m, i, h)
    return 0


cdef int hash_next_key(MapC *m, const uint8_t *key, uint8_t *out) noexcept nogil:
    cdef uint32_t b = 0
    cdef uint32_t i = NIL
    cdef uint32_t h
    if key != NULL:
        h = pyebpf_hash(key, m.key_size, m.seed)
        i = hash_find(m, key, h)
    if i != NIL:
        if m.next[i] != NIL:
            memcpy(out, key_at(m, m.next[i]), m.key_size)
            return 0
        b = (h & (m.nbuckets - 1)) + 1
    while b < m.nbuckets:
        if m.buckets[b] != NIL:
            memcpy(out, key_at(m, m.buckets[b]), m.key_size)
            return 0
        b += 1
    return -ENOENT


# --- LPM trie: longest-prefix match over a slab of prefixes ----------------------

cdef inline uint32_t lpm_len(const uint8_t *key) noexcept nogil:
    cdef uint32_t n
    memcpy(&n, key, 4)
    return n


cdef uint32_t lpm_common(MapC *m, const uint8_t *a, const uint8_t *b, uint32_t limit) noexcept nogil:
    """Number of leading data bits ``a`` and ``b`` share, at most ``limit``."""
    cdef uint32_t i = 0
    cdef uint8_t x
    while i < limit:
        x = a[4 + i // 8] ^ b[4 + i // 8]
        if x & (0x80 >> (i % 8)):
            return i
        i += 1
    return limit


cdef uint32_t lpm_match(MapC *m, const uint8_t *key) noexcept nogil:
    cdef uint32_t best = NIL
    cdef uint32_t best_len = 0
    cdef uint32_t i, n
    cdef uint32_t want = lpm_len(key)
    if want > (m.key_size - 4) * 8:
        return NIL
    for i in range(m.max_entries):
        if m.used[i]:
            n = lpm_len(key_at(m, i))
            if n <= want and (best == NIL or n > best_len):
                if lpm_common(m, key_at(m, i), key, n) == n:
                    best = i
                    best_len = n
    return best


cdef uint32_t lpm_exact(MapC *m, const uint8_t *key) noexcept nogil:
    cdef uint32_t i, n = lpm_len(key)
    for i in range(m.max_entries):
        if m.used[i] and lpm_len(key_at(m, i)) == n and lpm_common(m, key_at(m, i), key, n) == n:
            return i
    return NIL


cdef int lpm_before(MapC *m, uint32_t a, uint32_t b) noexcept nogil:
    """The kernel's iteration order (post-order): more specific prefixes first, 0 before 1."""
    cdef uint32_t la = lpm_len(key_at(m, a))
    cdef uint32_t lb = lpm_len(key_at(m, b))
    cdef uint32_t lim = la if la < lb else lb
    cdef uint32_t c = lpm_common(m, key_at(m, a), key_at(m, b), lim)
    if c < lim:
        return (key_at(m, a)[4 + c // 8] & (0x80 >> (c % 8))) == 0
    return la > lb


cdef int lpm_next_key(MapC *m, const uint8_t *key, uint8_t *out) noexcept nogil:
    cdef uint32_t cur = NIL
    cdef uint32_t best = NIL
    cdef uint32_t i
    if key != NULL and lpm_len(key) <= (m.key_size - 4) * 8:
        cur = lpm_exact(m, key)
    for i in range(m.max_entries):
        if not m.used[i] or i == cur:
            continue
        if cur != NIL and not lpm_before(m, cur, i):
            continue
        if best == NIL or lpm_before(m, i, best):
            best = i
    if best == NIL:
        return -ENOENT
    memcpy(out, key_at(m, best), m.key_size)
    return 0


cdef int lpm_update(MapC *m, const uint8_t *key, const uint8_t *value, uint64_t flags) noexcept nogil:
    cdef uint32_t i
    if lpm_len(key) > (m.key_size - 4) * 8:
        return -EINVAL
    i = lpm_exact(m, key)
    if i != NIL:
        if flags == F_NOEXIST:
            return -EEXIST
        memcpy(value_at(m, i), value, m.value_size)
        return 0
    if flags == F_EXIST:
        return -ENOENT
    if m.count >= m.max_entries:
        return -ENOSPC
    for i in range(m.max_entries):
        if not m.used[i]:
            break
    memcpy(key_at(m, i), key, m.key_size)
    memset(value_at(m, i), 0, m.elem_size)
    memcpy(value_at(m, i), value, m.value_size)
    m.used[i] = 1
    m.count += 1
    return 0


# --- the map operations (the kernel's map_ops), all under the map's lock ----------

cdef uint8_t *lru_peek(MapC *m, const uint8_t *key) noexcept nogil:
    """An LRU map's value for ``key`` without making it the most recently used."""
    cdef uint32_t i
    pyebpf_lock(&m.lock)
    i = hash_find(m, key, pyebpf_hash(key, m.key_size, m.seed))
    pyebpf_unlock(&m.lock)
    return value_at(m, i) if i != NIL else NULL


cdef uint8_t *map_lookup(MapC *m, const uint8_t *key, int32_t cpu) noexcept nogil:
    """The value a program sees for ``key`` (its own CPU's slice of per-CPU maps)."""
    cdef uint32_t idx, i
    cdef uint8_t *res = NULL
    cdef uint32_t off = 0
    if m.percpu:
        off = (<uint32_t>cpu % m.ncpus) * m.stride
    if is_array(m.map_type):
        memcpy(&idx, key, 4)
        if idx < m.max_entries:
            return value_at(m, idx) + off
        return NULL
    if is_hash(m.map_type) and not is_lru(m.map_type):
        # Readers take no lock (the kernel's are RCU readers): see hash_find.
        i = hash_find(m, key, pyebpf_hash(key, m.key_size, m.seed))
        return value_at(m, i) + off if i != NIL else NULL
    pyebpf_lock(&m.lock)
    if is_hash(m.map_type):
        i = hash_find(m, key, pyebpf_hash(key, m.key_size, m.seed))
        if i != NIL:
            res = value_at(m, i) + off
            if is_lru(m.map_type):
                m.lru_state[i] |= L_REF     # bpf_lru_node_set_ref
    elif m.map_type == T_LPM_TRIE:
        i = lpm_match(m, key)
        if i != NIL:
            res = value_at(m, i)
    elif is_fd_array(m.map_type):
        memcpy(&idx, key, 4)
        if idx < m.max_entries and m.used[idx]:
            res = <uint8_t *>&m.slots[idx]
    pyebpf_unlock(&m.lock)
    return res


cdef int map_update(MapC *m, const uint8_t *key, const uint8_t *value, uint64_t flags,
                    int32_t cpu, bint onallcpus) noexcept nogil:
    cdef uint32_t idx, i
    cdef int rc
    cdef uint8_t *dst
    cdef bint locked = (flags & F_LOCK) != 0
    flags &= ~(<uint64_t>F_LOCK)
    if flags > F_EXIST or (locked and m.spin_lock_off < 0):
        return -EINVAL
    if is_array(m.map_type):
        memcpy(&idx, key, 4)
        if idx >= m.max_entries:
            return -E2BIG
        if flags == F_NOEXIST:
            return -EEXIST
        if locked:      # copy_map_value_locked: under the value's own lock
            dst = value_at(m, idx)
            lock_value(dst + m.spin_lock_off)
            copy_value(m, dst, value)
            pyebpf_unlock32(dst + m.spin_lock_off)
            return 0
        write_value(m, value_at(m, idx), value, cpu, onallcpus, False)
        return 0
    pyebpf_lock(&m.lock)
    if locked and is_hash(m.map_type):
        i = hash_find(m, key, pyebpf_hash(key, m.key_size, m.seed))
        if i != NIL:
            pyebpf_unlock(&m.lock)
            if flags == F_NOEXIST:
                return -EEXIST
            dst = value_at(m, i)
            lock_value(dst + m.spin_lock_off)
            copy_value(m, dst, value)
            pyebpf_unlock32(dst + m.spin_lock_off)
            return 0
    if is_hash(m.map_type):
        rc = hash_update(m, key, value, flags, cpu, onallcpus)
    elif m.map_type == T_LPM_TRIE:
        rc = lpm_update(m, key, value, flags)
    else:
        rc = -EINVAL
    pyebpf_unlock(&m.lock)
    return rc


cdef int map_delete(MapC *m, const uint8_t *key) noexcept nogil:
    cdef uint32_t i
    cdef int rc = -ENOENT
    if is_array(m.map_type):
        return -EINVAL
    pyebpf_lock(&m.lock)
    if is_hash(m.map_type):
        i = hash_find(m, key, pyebpf_hash(key, m.key_size, m.seed))
        if i != NIL:
            hash_unlink(m, i)
            rc = 0
    elif m.map_type == T_LPM_TRIE:
        if lpm_len(key) > (m.key_size - 4) * 8:
            rc = -EINVAL
        else:
            i = lpm_exact(m, key)
            if i != NIL:
                m.used[i] = 0
                m.count -= 1
                rc = 0
    else:
        rc = -EINVAL
    pyebpf_unlock(&m.lock)
    return rc


cdef int map_next_key(MapC *m, const uint8_t *key, uint8_t *out) noexcept nogil:
    cdef uint32_t idx
    cdef int rc
    if is_array(m.map_type) or is_fd_array(m.map_type):
        idx = m.max_entries
        if key != NULL:
            memcpy(&idx, key, 4)
        if idx >= m.max_entries:
            idx = 0
        elif idx == m.max_entries - 1:
            return -ENOENT
        else:
            idx += 1
        memcpy(out, &idx, 4)
        return 0
    pyebpf_lock(&m.lock)
    if is_hash(m.map_type):
        rc = hash_next_key(m, key, out)
    elif m.map_type == T_LPM_TRIE:
        rc = lpm_next_key(m, key, out)
    else:
        rc = -EINVAL
    pyebpf_unlock(&m.lock)
    return rc


cdef void bloom_positions(MapC *m, const uint8_t *value, uint64_t *pos) noexcept nogil:
    cdef uint32_t k
    for k in range(m.nr_hash):
        pos[k] = pyebpf_hash(value, m.value_size, m.seed + k) & m.bitmask


cdef int map_push(MapC *m, const uint8_t *value, uint64_t flags) noexcept nogil:
    """Queue/stack push (BPF_EXIST overwrites the oldest when full), bloom filter add."""
    cdef uint32_t slot
    cdef uint64_t pos[16]
    cdef uint32_t k
    if m.map_type == T_BLOOM_FILTER:
        if flags != F_ANY:
            return -EINVAL
        bloom_positions(m, value, pos)
        pyebpf_lock(&m.lock)
        for k in range(m.nr_hash):
            m.bits[pos[k] >> 6] |= (<uint64_t>1) << (pos[k] & 63)
        pyebpf_unlock(&m.lock)
        return 0
    if m.map_type != T_QUEUE and m.map_type != T_STACK:
        return -EINVAL
    if flags & F_NOEXIST or flags > F_EXIST:
        return -EINVAL
    pyebpf_lock(&m.lock)
    if m.count == m.max_entries:
        if not (flags & F_EXIST):
            pyebpf_unlock(&m.lock)
            return -E2BIG
        m.qhead = (m.qhead + 1) % m.max_entries     # drop the oldest
        m.count -= 1
    slot = (m.qhead + m.count) % m.max_entries
    memcpy(value_at(m, slot), value, m.value_size)
    m.count += 1
    pyebpf_unlock(&m.lock)
    return 0


cdef int map_pop(MapC *m, uint8_t *out, bint remove) noexcept nogil:
    """Queue (oldest first) or stack (newest first) pop / peek; bloom filter check."""
    cdef uint32_t slot
    cdef uint64_t pos[16]
    cdef uint32_t k
    if m.map_type == T_BLOOM_FILTER:
        if remove:
            return -EOPNOTSUPP
        bloom_positions(m, out, pos)
        for k in range(m.nr_hash):
            if not (m.bits[pos[k] >> 6] >> (pos[k] & 63)) & 1:
                return -ENOENT
        return 0
    if m.map_type != T_QUEUE and m.map_type != T_STACK:
        return -EINVAL
    pyebpf_lock(&m.lock)
    if m.count == 0:
        pyebpf_unlock(&m.lock)
        return -ENOENT
    if m.map_type == T_QUEUE:
        slot = m.qhead
    else:
        slot = (m.qhead + m.count - 1) % m.max_entries
    memcpy(out, value_at(m, slot), m.value_size)
    if remove:
        if m.map_type == T_QUEUE:
            m.qhead = (m.qhead + 1) % m.max_entries
        m.count -= 1
    pyebpf_unlock(&m.lock)
    return 0


# --- ring buffer -------------------------------------------------------------------

cdef uint8_t *ringbuf_reserve(MapC *m, uint64_t size) noexcept nogil:
    cdef uint64_t total = (size + RB_HDR + 7) & ~(<uint64_t>7)
    cdef uint64_t ring = m.max_entries
    cdef uint8_t *hdr
    cdef uint32_t word
    if size > 0x0FFFFFFF or total > ring:
        return NULL
    pyebpf_lock(&m.lock)
    if m.prod_pos + total - m.cons_pos > ring:
        pyebpf_unlock(&m.lock)
        return NULL
    hdr = m.values + (m.prod_pos & (ring - 1))
    word = <uint32_t>size | RB_BUSY
    memcpy(hdr, &word, 4)
    word = <uint32_t>((hdr - m.values) // 4096)
    memcpy(hdr + 4, &word, 4)
    m.prod_pos += total
    pyebpf_unlock(&m.lock)
    return hdr + RB_HDR


cdef MapC *ringbuf_of(VMState *vm, uint64_t sample) noexcept nogil:
    """The ring buffer map holding a reserved, not yet committed record at ``sample``."""
    cdef RunC *rc = <RunC *>vm.user
    cdef MapC *m
    cdef uint32_t word
    cdef int k
    if rc == NULL or sample < RB_HDR:
        return NULL
    for k in range(rc.nmaps):
        m = rc.maps[k]
        if (m.map_type == T_RINGBUF and sample - RB_HDR >= <uint64_t>m.values
                and sample - RB_HDR < <uint64_t>m.values + m.max_entries
                and (sample - <uint64_t>m.values) % 8 == 0):
            memcpy(&word, <uint8_t *>(sample - RB_HDR), 4)
            if word & RB_BUSY:
                return m
    return NULL


cdef void ringbuf_commit(MapC *m, uint64_t sample, bint discard) noexcept nogil:
    cdef uint32_t word
    pyebpf_lock(&m.lock)
    memcpy(&word, <uint8_t *>(sample - RB_HDR), 4)
    word &= ~(<uint32_t>RB_BUSY)
    if discard:
        word |= RB_DISCARD
    memcpy(<uint8_t *>(sample - RB_HDR), &word, 4)
    pyebpf_unlock(&m.lock)


# --- the Python face of one map's storage ------------------------------------------

cdef inline uint32_t next_pow2(uint64_t n) noexcept nogil:
    cdef uint64_t p = 1
    while p < n:
        p <<= 1
    return <uint32_t>p


cdef raise_errno(int rc):
    raise BPFError(-rc)


cdef class CMap:
    """C storage for one map; the kernel's checks on attributes are made by :mod:`pyebpf.maps`.

    ``value_size`` here is the stored size: fd maps store an 8-byte pointer
    per slot, the user-visible 4-byte fd/id conversion is the caller's.
    """

    def __cinit__(self, int map_type, uint32_t key_size, uint32_t value_size,
                  uint32_t max_entries, uint32_t map_flags=0, uint32_t ncpus=1,
                  uint32_t nr_hash=5, uint32_t seed=0):
        cdef MapC *m = <MapC *>calloc(1, sizeof(MapC))
        cdef uint32_t i
        cdef uint64_t nbits
        cdef uint32_t n = max_entries
        if m == NULL:
            raise MemoryError()
        self.c = m
        self.refs = {}
        self.map_type = map_type
        m.owner = <void *>self
        m.map_type = map_type
        m.key_size = key_size
        m.value_size = value_size
        m.max_entries = max_entries
        m.map_flags = map_flags
        m.ncpus = ncpus if ncpus > 0 else 1
        m.percpu = map_type in (T_PERCPU_HASH, T_PERCPU_ARRAY, T_LRU_PERCPU_HASH)
        m.stride = (value_size + 7) & ~7u
        m.elem_size = m.stride * (m.ncpus if m.percpu else 1)
        m.seed = seed
        m.free_head = NIL
        m.spin_lock_off = -1
        if map_type == T_RINGBUF:
            # Twice the ring, so a record that wraps stays contiguous (the kernel
            # maps the data pages twice for the same reason).
            m.values_len = 2 * <uint64_t>max_entries
            m.values = <uint8_t *>calloc(m.values_len, 1)
            if m.values == NULL:
                raise MemoryError()
            return
        if map_type == T_BLOOM_FILTER:
            m.nr_hash = nr_hash
            nbits = next_pow2(max(<uint64_t>max_entries * nr_hash * 7 // 5, 64))
            m.bitmask = nbits - 1
            m.bits = <uint64_t *>calloc(nbits // 64, 8)
            if m.bits == NULL:
                raise MemoryError()
            return
        m.values_len = <uint64_t>m.elem_size * n
        if m.values_len > (<uint64_t>1 << 32):
            raise BPFError(_errno.ENOMEM, "map too large to preallocate")
        m.values = <uint8_t *>calloc(m.values_len if m.values_len else 1, 1)
        if m.values == NULL:
            raise MemoryError()
        if is_hash(map_type) or map_type == T_LPM_TRIE:
            m.keys = <uint8_t *>calloc(<uint64_t>key_size * n, 1)
            if m.keys == NULL:
                raise MemoryError()
        if is_hash(map_type):
            m.nbuckets = next_pow2(n)
            m.buckets = <uint32_t *>calloc(m.nbuckets, 4)
            m.next = <uint32_t *>calloc(n, 4)
            m.hashes = <uint32_t *>calloc(n, 4)
            if m.buckets == NULL or m.next == NULL or m.hashes == NULL:
                raise MemoryError()
            memset(m.buckets, 0xFF, <uint64_t>m.nbuckets * 4)
            for i in range(n):
                m.next[i] = i + 1 if i + 1 < n else NIL
            m.free_head = 0
            if is_lru(map_type):
                m.lru_prev = <uint32_t *>calloc(n + L_LISTS, 4)
                m.lru_next = <uint32_t *>calloc(n + L_LISTS, 4)
                m.lru_state = <uint8_t *>calloc(n, 1)
                if m.lru_prev == NULL or m.lru_next == NULL or m.lru_state == NULL:
                    raise MemoryError()
                lru_init(m)
        if map_type == T_LPM_TRIE or is_fd_array(map_type):
            m.used = <uint8_t *>calloc(n, 1)
            if m.used == NULL:
                raise MemoryError()
        if is_fd_array(map_type):
            m.slots = <uint64_t *>calloc(n, 8)
            m.slot_len = <int32_t *>calloc(n, 4)
            if m.slots == NULL or m.slot_len == NULL:
                raise MemoryError()

    def __dealloc__(self):
        cdef MapC *m = self.c
        if m == NULL:
            return
        free(m.keys)
        free(m.values)
        free(m.next)
        free(m.buckets)
        free(m.hashes)
        free(m.lru_prev)
        free(m.lru_next)
        free(m.lru_state)
        free(m.used)
        free(m.slots)
        free(m.slot_len)
        free(m.bits)
        free(m)

    # attributes ---------------------------------------------------------------

    @property
    def address(self) -> int:
        """What a program's LD_IMM64 map pointer holds (the kernel's ``struct bpf_map *``)."""
        return <uint64_t>self.c

    @property
    def count(self) -> int:
        return self.c.count

    @property
    def values_address(self) -> int:
        return <uint64_t>self.c.values

    @property
    def values_len(self) -> int:
        return self.c.values_len

    @property
    def elem_size(self) -> int:
        """Bytes per value as user space sees it (per-CPU: 8-byte rounded, times CPUs)."""
        return self.c.elem_size if self.c.percpu else self.c.value_size

    def regions(self, writable=True) -> list:
        """(address, size, writable) of the memory programs may dereference."""
        if self.c.values == NULL or self.c.values_len == 0:
            return []
        return [(<uint64_t>self.c.values, self.c.values_len, bool(writable))]

    # checked copies -----------------------------------------------------------

    cdef bytes _key(self, key):
        if key is None:
            return None
        b = bytes(key)
        if <uint32_t>len(b) != self.c.key_size:
            raise BPFError(_errno.EINVAL, f"key must be {self.c.key_size} bytes, got {len(b)}")
        return b

    def lookup(self, key, int cpu=-1, bint locked=False) -> bytes:
        """The value as user space reads it (all CPUs for per-CPU maps); ENOENT if absent.
        ``locked``: BPF_F_LOCK, copied while holding the value's bpf_spin_lock."""
        cdef bytes hold = self._key(key)
        cdef const uint8_t *k = NULL if hold is None else <const uint8_t *><char *>hold
        cdef uint8_t *v
        cdef MapC *m = self.c
        if k == NULL and m.key_size:
            raise BPFError(_errno.EINVAL, "key is required")
        # htab_lru_map_lookup_elem_sys: a lookup from user space leaves the LRU order
        v = lru_peek(m, k) if is_lru(m.map_type) else map_lookup(m, k, 0)
        if v == NULL:
            raise BPFError(_errno.ENOENT)
        if locked and m.spin_lock_off >= 0:
            # copy_map_value_locked: the copy is made under the value's lock
            lock_value(v + m.spin_lock_off)
            out = (<char *>v)[:m.value_size]
            pyebpf_unlock32(v + m.spin_lock_off)
            return out
        if m.percpu and cpu < 0:
            out = (<char *>v)[:m.elem_size]
        elif m.percpu:
            out = (<char *>(v + (<uint32_t>cpu % m.ncpus) * m.stride))[:m.value_size]
        else:
            out = (<char *>v)[:m.value_size]
        return out

    def update(self, key, value, uint64_t flags=0) -> None:
        cdef bytes hold = self._key(key)
        cdef const uint8_t *k = NULL if hold is None else <const uint8_t *><char *>hold
        cdef bytes v = bytes(value)
        cdef uint32_t want = self.elem_size
        if k == NULL:
            raise BPFError(_errno.EINVAL, "key is required")
        if <uint32_t>len(v) != want:
            raise BPFError(_errno.EINVAL, f"value must be {want} bytes, got {len(v)}")
        rc = map_update(self.c, k, <const uint8_t *><char *>v, flags, 0, True)
        if rc:
            raise_errno(rc)

    def set_spin_lock_off(self, int32_t off) -> None:
        """Where the value's bpf_spin_lock is (map_check_btf found it), -1 for none:
        copies into the map leave it alone, BPF_F_LOCK copies take it."""
        if off >= 0 and (self.c.percpu or <uint32_t>off + 4 > self.c.value_size):
            raise BPFError(_errno.EINVAL, "no room for a bpf_spin_lock there")
        self.c.spin_lock_off = off

    def delete(self, key) -> None:
        cdef bytes hold = self._key(key)
        cdef const uint8_t *k = NULL if hold is None else <const uint8_t *><char *>hold
        if k == NULL:
            raise BPFError(_errno.EINVAL, "key is required")
        rc = map_delete(self.c, k)
        if rc:
            raise_errno(rc)

    def next_key(self, key=None) -> bytes:
        """GET_NEXT_KEY: None or a missing key starts over; ENOENT after the last."""
        cdef bytes hold = self._key(key)
        cdef const uint8_t *k = NULL if hold is None else <const uint8_t *><char *>hold
        cdef bytearray out = bytearray(self.c.key_size)
        cdef uint8_t *o = <uint8_t *><char *>out
        rc = map_next_key(self.c, k, o)
        if rc:
            raise_errno(rc)
        return bytes(out)

    def items(self) -> list:
        """Every (key, value) in next_key order, values as :meth:`lookup` gives them, in
        one C loop (what a dump through BPF_MAP_LOOKUP_BATCH returns; a key deleted
        between its next_key and its lookup is skipped)."""
        cdef MapC *m = self.c
        cdef bytearray a = bytearray(max(m.key_size, 1)), b = bytearray(max(m.key_size, 1))
        cdef uint8_t *cur = <uint8_t *><char *>a
        cdef uint8_t *nxt = <uint8_t *><char *>b
        cdef uint8_t *tmp
        cdef uint8_t *v
        cdef uint32_t size = m.elem_size if m.percpu else m.value_size
        cdef list out = []
        cdef int rc = map_next_key(m, NULL, cur)
        while rc == 0:
            v = map_lookup(m, cur, 0)
            if v != NULL:
                out.append(((<char *>cur)[:m.key_size], (<char *>v)[:size]))
            rc = map_next_key(m, cur, nxt)
            tmp = cur
            cur = nxt
            nxt = tmp
        if rc != -ENOENT:
            raise_errno(rc)
        return out

    def push(self, value, uint64_t flags=0) -> None:
        cdef bytes v = bytes(value)
        if <uint32_t>len(v) != self.c.value_size:
            raise BPFError(_errno.EINVAL, f"value must be {self.c.value_size} bytes")
        rc = map_push(self.c, <const uint8_t *><char *>v, flags)
        if rc:
            raise_errno(rc)

    def pop(self, bint remove=True) -> bytes:
        cdef bytearray out = bytearray(self.c.value_size)
        rc = map_pop(self.c, <uint8_t *><char *>out, remove)
        if rc:
            raise_errno(rc)
        return bytes(out)

    def value_address(self, key, int cpu=0) -> int:
        """Address of the value a program's lookup of ``key`` returns on ``cpu`` (0: none)."""
        cdef bytes hold = self._key(key)
        if hold is None:
            return 0
        return <uint64_t>map_lookup(self.c, <const uint8_t *><char *>hold, cpu)

    def contains_value(self, value) -> bool:
        """Bloom filter peek: False when ``value`` was certainly never pushed."""
        cdef bytearray v = bytearray(value)
        if <uint32_t>len(v) != self.c.value_size:
            raise BPFError(_errno.EINVAL, f"value must be {self.c.value_size} bytes")
        return map_pop(self.c, <uint8_t *><char *>v, False) == 0

    # fd maps: slots holding programs, maps or perf events -------------------------

    def set_slot(self, uint32_t idx, obj, uint64_t ptr, int32_t length=0) -> None:
        """Put ``obj`` (kept alive here) at ``idx``; ``ptr`` is what programs get."""
        cdef MapC *m = self.c
        if idx >= m.max_entries:
            raise BPFError(_errno.E2BIG)
        pyebpf_lock(&m.lock)
        m.slots[idx] = ptr
        m.slot_len[idx] = length
        m.used[idx] = 1
        pyebpf_unlock(&m.lock)
        release_after_runs(self.refs.get(idx))
        self.refs[idx] = obj

    def clear_slot(self, uint32_t idx) -> None:
        cdef MapC *m = self.c
        if idx >= m.max_entries:
            raise BPFError(_errno.E2BIG)
        if not m.used[idx]:
            raise BPFError(_errno.ENOENT)
        pyebpf_lock(&m.lock)
        m.used[idx] = 0
        m.slots[idx] = 0
        pyebpf_unlock(&m.lock)
        release_after_runs(self.refs.pop(idx, None))

    def slot(self, uint32_t idx):
        """The object at ``idx`` (ENOENT when empty, E2BIG out of range)."""
        if idx >= self.c.max_entries:
            raise BPFError(_errno.E2BIG)
        if not self.c.used[idx]:
            raise BPFError(_errno.ENOENT)
        return self.refs[idx]

    def keep(self, key, obj) -> None:
        """Keep ``obj`` alive for ``key`` (hash of maps); None forgets it."""
        release_after_runs(self.refs.pop(key, None))
        if obj is not None:
            self.refs[key] = obj

    def kept(self, key):
        return self.refs.get(key)

    def clear(self) -> None:
        """Empty the map (freeing an outer map's references)."""
        cdef MapC *m = self.c
        cdef uint32_t i
        pyebpf_lock(&m.lock)
        if is_hash(m.map_type):
            memset(m.buckets, 0xFF, <uint64_t>m.nbuckets * 4)
            for i in range(m.max_entries):
                m.next[i] = i + 1 if i + 1 < m.max_entries else NIL
            m.free_head = 0 if m.max_entries else NIL
            if is_lru(m.map_type):
                lru_init(m)
        if m.used != NULL:
            memset(m.used, 0, m.max_entries)
        m.count = 0
        m.qhead = 0
        pyebpf_unlock(&m.lock)
        self.refs.clear()

    # ring buffer consumer --------------------------------------------------------

    @property
    def ring_positions(self):
        """(consumer_pos, producer_pos) of a ring buffer."""
        return self.c.cons_pos, self.c.prod_pos

    def ring_reserve(self, uint64_t size) -> int:
        """Reserve a record (what bpf_ringbuf_reserve does); 0 when it does not fit."""
        return <uint64_t>ringbuf_reserve(self.c, size)

    def ring_consume(self, int limit=-1) -> list:
        """Committed records in order, advancing the consumer; stops at a busy one."""
        cdef MapC *m = self.c
        cdef uint32_t word
        cdef uint64_t mask = m.max_entries - 1
        cdef uint64_t total, size, start
        out = []
        while m.cons_pos < m.prod_pos and limit != 0:
            pyebpf_lock(&m.lock)
            memcpy(&word, m.values + (m.cons_pos & mask), 4)
            pyebpf_unlock(&m.lock)
            if word & RB_BUSY:
                break
            size = word & 0x0FFFFFFF
            total = (size + RB_HDR + 7) & ~(<uint64_t>7)
            if not word & RB_DISCARD:
                start = (m.cons_pos & mask) + RB_HDR
                out.append((<char *>(m.values + start))[:size])
                limit -= 1
            m.cons_pos += total
        return out


# --- per-run context: the valid map pointers, seen by the C helpers --------------

cdef MapC *run_map(VMState *vm, uint64_t ptr) noexcept nogil:
    """The map at ``ptr`` if the running program may use it, else NULL."""
    cdef RunC *rc = <RunC *>vm.user
    cdef int lo = 0, hi, mid
    if rc == NULL:
        return NULL
    hi = rc.nmaps - 1
    while lo <= hi:
        mid = (lo + hi) >> 1
        if <uint64_t>rc.maps[mid] == ptr:
            return rc.maps[mid]
        if <uint64_t>rc.maps[mid] < ptr:
            lo = mid + 1
        else:
            hi = mid - 1
    return NULL


cdef class RunContext:
    """What C helpers see during runs: the maps a program may use, and per-run state.

    The runtime builds one per loaded program (its used maps plus the maps
    those hold), attaches it to a VM, then runs.  A map pointer a helper gets
    that is not in this set is refused, verified program or not.
    """

    def __cinit__(self):
        memset(&self.c, 0, sizeof(RunC))
        self.c.owner = <void *>self
        self.c.prandom = 0x2545F4914F6CDD1D
        self.maps = []

    def set_maps(self, maps) -> None:
        cdef CMap cm
        cdef int i = 0
        maps = sorted({id(x): x for x in maps}.values(), key=lambda x: x.address)
        if len(maps) > MAX_RUN_MAPS:
            raise BPFError(_errno.E2BIG, f"a program may use at most {MAX_RUN_MAPS} maps")
        for cm in maps:
            self.c.maps[i] = cm.c
            i += 1
        self.c.nmaps = i
        self.maps = list(maps)

    def set_identity(self, uint64_t pid_tgid, uint64_t uid_gid, uint64_t seed) -> None:
        self.c.pid_tgid = pid_tgid
        self.c.uid_gid = uid_gid
        self.c.prandom = seed | 1

    def attach(self, VM vm not None) -> None:
        """Make ``vm`` use this context: C helpers see these maps, programs their values."""
        cdef CMap cm
        regions = []
        for cm in self.maps:
            regions.extend(cm.regions(not (cm.c.map_flags & 0x80)))  # BPF_F_RDONLY_PROG
        vm.set_static_regions(regions)
        vm.state.user = <void *>&self.c
        vm.user_object = self

    def map_at(self, uint64_t ptr):
        """The CMap at a program-visible map pointer, or None."""
        for cm in self.maps:
            if cm.address == ptr:
                return cm
        return None


# --- C helpers (kernel ids, installed as "pyebpf.helper" capsules) ------------------

cdef int bad_map(VMState *vm, uint64_t ptr, const char *helper) noexcept with gil:
    cdef VM owner = <VM>vm.owner
    owner.pending_exc = HelperError(
        f"{helper.decode()}: {ptr:#x} is not a map this program may use", -1)
    return vm_fault(vm, FAULT_PYTHON, ptr, 0)


cdef inline uint64_t neg(int e) noexcept nogil:
    return <uint64_t>(<int64_t>e)


cdef int h_map_lookup_elem(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef const uint8_t *k
    cdef uint8_t *v
    cdef uint32_t idx
    if m == NULL:
        return bad_map(vm, r[1], "bpf_map_lookup_elem")
    k = vm_access(vm, r[2], m.key_size, REGION_READ)
    if k == NULL:
        return vm_fault(vm, FAULT_READ, r[2], m.key_size)
    if m.map_type == T_ARRAY:     # the common fast path
        memcpy(&idx, k, 4)
        v = value_at(m, idx) if idx < m.max_entries else NULL
    elif is_hash(m.map_type) or is_array(m.map_type) or m.map_type == T_LPM_TRIE:
        v = map_lookup(m, k, vm.cpu)
    elif m.map_type == T_ARRAY_OF_MAPS:
        v = map_lookup(m, k, 0)
        r[0] = (<uint64_t *>v)[0] if v != NULL else 0
        return HELPER_OK
    else:
        v = NULL
    if v != NULL and m.map_type == T_HASH_OF_MAPS:
        r[0] = (<uint64_t *>v)[0]
        return HELPER_OK
    r[0] = <uint64_t>v
    return HELPER_OK


cdef int h_map_update_elem(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef const uint8_t *k
    cdef const uint8_t *v
    if m == NULL:
        return bad_map(vm, r[1], "bpf_map_update_elem")
    if not (is_hash(m.map_type) or is_array(m.map_type) or m.map_type == T_LPM_TRIE) \
            or m.map_type == T_HASH_OF_MAPS:
        r[0] = neg(-EINVAL)
        return HELPER_OK
    k = vm_access(vm, r[2], m.key_size, REGION_READ)
    if k == NULL:
        return vm_fault(vm, FAULT_READ, r[2], m.key_size)
    v = vm_access(vm, r[3], m.value_size, REGION_READ)
    if v == NULL:
        return vm_fault(vm, FAULT_READ, r[3], m.value_size)
    r[0] = neg(map_update(m, k, v, r[4], vm.cpu, False))
    return HELPER_OK


cdef int h_map_delete_elem(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef const uint8_t *k
    if m == NULL:
        return bad_map(vm, r[1], "bpf_map_delete_elem")
    if not (is_hash(m.map_type) or is_array(m.map_type) or m.map_type == T_LPM_TRIE) \
            or m.map_type == T_HASH_OF_MAPS:
        r[0] = neg(-EINVAL)
        return HELPER_OK
    k = vm_access(vm, r[2], m.key_size, REGION_READ)
    if k == NULL:
        return vm_fault(vm, FAULT_READ, r[2], m.key_size)
    r[0] = neg(map_delete(m, k))
    return HELPER_OK


cdef int h_map_push_elem(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef const uint8_t *v
    if m == NULL:
        return bad_map(vm, r[1], "bpf_map_push_elem")
    v = vm_access(vm, r[2], m.value_size, REGION_READ)
    if v == NULL:
        return vm_fault(vm, FAULT_READ, r[2], m.value_size)
    r[0] = neg(map_push(m, v, r[3]))
    return HELPER_OK


cdef int pop_or_peek(VMState *vm, uint64_t *r, bint remove, const char *name) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef uint8_t *v
    if m == NULL:
        return bad_map(vm, r[1], name)
    if m.map_type == T_BLOOM_FILTER and not remove:
        v = vm_access(vm, r[2], m.value_size, REGION_READ)   # peek reads the value to test
        if v == NULL:
            return vm_fault(vm, FAULT_READ, r[2], m.value_size)
    else:
        v = vm_access(vm, r[2], m.value_size, REGION_WRITE)
        if v == NULL:
            return vm_fault(vm, FAULT_WRITE, r[2], m.value_size)
    r[0] = neg(map_pop(m, v, remove))
    return HELPER_OK


cdef int h_map_pop_elem(VMState *vm, uint64_t *r) noexcept nogil:
    return pop_or_peek(vm, r, True, "bpf_map_pop_elem")


cdef int h_map_peek_elem(VMState *vm, uint64_t *r) noexcept nogil:
    return pop_or_peek(vm, r, False, "bpf_map_peek_elem")


cdef int h_map_lookup_percpu_elem(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef const uint8_t *k
    if m == NULL:
        return bad_map(vm, r[1], "bpf_map_lookup_percpu_elem")
    r[0] = 0
    if not m.percpu or r[3] >= m.ncpus:
        return HELPER_OK
    k = vm_access(vm, r[2], m.key_size, REGION_READ)
    if k == NULL:
        return vm_fault(vm, FAULT_READ, r[2], m.key_size)
    r[0] = <uint64_t>map_lookup(m, k, <int32_t>r[3])
    return HELPER_OK


cdef int h_tail_call(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[2])
    cdef uint32_t idx = <uint32_t>r[3]
    if m == NULL:
        return bad_map(vm, r[2], "bpf_tail_call")
    r[0] = neg(-ENOENT)
    if m.map_type != T_PROG_ARRAY or idx >= m.max_entries:
        return HELPER_OK
    if vm.tail_calls >= TAIL_CALL_LIMIT:
        return HELPER_OK
    pyebpf_lock(&m.lock)
    if not m.used[idx]:
        pyebpf_unlock(&m.lock)
        return HELPER_OK
    vm.tail_insns = <Insn *>m.slots[idx]
    vm.tail_ninsns = m.slot_len[idx]
    pyebpf_unlock(&m.lock)
    vm.tail_calls += 1
    return HELPER_TAIL_CALL


cdef int h_ktime_get_ns(VMState *vm, uint64_t *r) noexcept nogil:
    r[0] = pyebpf_clock(0)
    return HELPER_OK


cdef int h_ktime_get_boot_ns(VMState *vm, uint64_t *r) noexcept nogil:
    r[0] = pyebpf_clock(1)
    return HELPER_OK


cdef int h_ktime_get_coarse_ns(VMState *vm, uint64_t *r) noexcept nogil:
    r[0] = pyebpf_clock(2)
    return HELPER_OK


cdef int h_jiffies64(VMState *vm, uint64_t *r) noexcept nogil:
    # HZ is a kernel build option user space cannot see; pyebpf uses HZ=1000.
    r[0] = pyebpf_clock(0) // 1000000
    return HELPER_OK


cdef int h_get_prandom_u32(VMState *vm, uint64_t *r) noexcept nogil:
    cdef RunC *rc = <RunC *>vm.user
    cdef uint64_t x = rc.prandom if rc != NULL else pyebpf_clock(0) | 1
    x ^= x << 13
    x ^= x >> 7
    x ^= x << 17
    if rc != NULL:
        rc.prandom = x
    r[0] = <uint32_t>(x >> 16)
    return HELPER_OK


cdef int h_get_smp_processor_id(VMState *vm, uint64_t *r) noexcept nogil:
    r[0] = <uint32_t>vm.cpu
    return HELPER_OK


cdef int h_get_numa_node_id(VMState *vm, uint64_t *r) noexcept nogil:
    r[0] = 0
    return HELPER_OK


cdef int h_get_current_pid_tgid(VMState *vm, uint64_t *r) noexcept nogil:
    cdef RunC *rc = <RunC *>vm.user
    r[0] = rc.pid_tgid if rc != NULL else 0
    return HELPER_OK


cdef int h_get_current_uid_gid(VMState *vm, uint64_t *r) noexcept nogil:
    cdef RunC *rc = <RunC *>vm.user
    r[0] = rc.uid_gid if rc != NULL else 0
    return HELPER_OK


cdef int h_ringbuf_reserve(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    if m == NULL:
        return bad_map(vm, r[1], "bpf_ringbuf_reserve")
    r[0] = 0
    if m.map_type == T_RINGBUF and r[3] == 0:
        r[0] = <uint64_t>ringbuf_reserve(m, r[2])
    return HELPER_OK


cdef int h_ringbuf_output(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    cdef const uint8_t *src
    cdef uint8_t *dst
    if m == NULL:
        return bad_map(vm, r[1], "bpf_ringbuf_output")
    if m.map_type != T_RINGBUF or (r[4] & ~(<uint64_t>3)):
        r[0] = neg(-EINVAL)
        return HELPER_OK
    src = vm_access(vm, r[2], r[3], REGION_READ)
    if src == NULL and r[3] != 0:
        return vm_fault(vm, FAULT_READ, r[2], r[3])
    dst = ringbuf_reserve(m, r[3])
    if dst == NULL:
        r[0] = neg(-EAGAIN_)
        return HELPER_OK
    memcpy(dst, src, r[3])
    ringbuf_commit(m, <uint64_t>dst, False)
    r[0] = 0
    return HELPER_OK

cdef int commit(VMState *vm, uint64_t *r, bint discard, const char *name) noexcept nogil:
    cdef MapC *m = ringbuf_of(vm, r[1])
    if m == NULL:
        return bad_map(vm, r[1], name)
    ringbuf_commit(m, r[1], discard)
    r[0] = 0
    return HELPER_OK


cdef int h_ringbuf_submit(VMState *vm, uint64_t *r) noexcept nogil:
    return commit(vm, r, False, "bpf_ringbuf_submit (not a reserved record)")


cdef int h_ringbuf_discard(VMState *vm, uint64_t *r) noexcept nogil:
    return commit(vm, r, True, "bpf_ringbuf_discard (not a reserved record)")


cdef int h_ringbuf_query(VMState *vm, uint64_t *r) noexcept nogil:
    cdef MapC *m = run_map(vm, r[1])
    if m == NULL:
        return bad_map(vm, r[1], "bpf_ringbuf_query")
    r[0] = 0
    if m.map_type != T_RINGBUF:
        return HELPER_OK
    if r[2] == 0:
        r[0] = m.prod_pos - m.cons_pos     # BPF_RB_AVAIL_DATA
    elif r[2] == 1:
        r[0] = m.max_entries               # BPF_RB_RING_SIZE
    elif r[2] == 2:
        r[0] = m.cons_pos                  # BPF_RB_CONS_POS
    elif r[2] == 3:
        r[0] = m.prod_pos                  # BPF_RB_PROD_POS
    return HELPER_OK


cdef int h_spin_lock(VMState *vm, uint64_t *r) noexcept nogil:
    cdef uint8_t *p = vm_access(vm, r[1], 4, REGION_WRITE)
    cdef long spins = 0
    if p == NULL:
        return vm_fault(vm, FAULT_WRITE, r[1], 4)
    while not pyebpf_trylock32(p):
        spins += 1
        if spins > 100000000:   # a lock never released: stop instead of hanging
            return vm_fault(vm, FAULT_WRITE, r[1], 4)
    r[0] = 0
    return HELPER_OK


cdef int h_spin_unlock(VMState *vm, uint64_t *r) noexcept nogil:
    cdef uint8_t *p = vm_access(vm, r[1], 4, REGION_WRITE)
    if p == NULL:
        return vm_fault(vm, FAULT_WRITE, r[1], 4)
    pyebpf_unlock32(p)
    r[0] = 0
    return HELPER_OK


cdef int h_probe_read(VMState *vm, uint64_t *r) noexcept nogil:
    # probe_read_kernel/user(dst, size, unsafe_ptr): only pyebpf-owned memory is readable.
    cdef uint8_t *dst = vm_access(vm, r[1], r[2], REGION_WRITE)
    cdef const uint8_t *src
    if dst == NULL:
        return vm_fault(vm, FAULT_WRITE, r[1], r[2])
    src = vm_access(vm, r[3], r[2], REGION_READ)
    if src == NULL:
        memset(dst, 0, r[2])
        r[0] = neg(-EFAULT)
    else:
        memcpy(dst, src, r[2])
        r[0] = 0
    return HELPER_OK


cdef int h_probe_read_str(VMState *vm, uint64_t *r) noexcept nogil:
    cdef uint8_t *dst = vm_access(vm, r[1], r[2], REGION_WRITE)
    cdef const uint8_t *src
    cdef uint64_t i = 0
    if dst == NULL:
        return vm_fault(vm, FAULT_WRITE, r[1], r[2])
    if r[2] == 0:
        r[0] = 0
        return HELPER_OK
    while i + 1 < r[2]:
        src = vm_access(vm, r[3] + i, 1, REGION_READ)
        if src == NULL:
            if i == 0:
                memset(dst, 0, r[2])
                r[0] = neg(-EFAULT)
                return HELPER_OK
            break
        dst[i] = src[0]
        if src[0] == 0:
            r[0] = i + 1
            return HELPER_OK
        i += 1
    dst[i] = 0
    r[0] = i + 1
    return HELPER_OK


cdef uint64_t csum_partial32(const uint8_t *p, uint64_t n, uint32_t seed) noexcept nogil:
    """x86 csum_partial over 4-byte words: a 32-bit one's complement sum."""
    cdef uint64_t s = seed
    cdef uint32_t w
    cdef uint64_t i = 0
    while i < n:
        memcpy(&w, p + i, 4)
        s += w
        i += 4
    s = (s & 0xFFFFFFFFu) + (s >> 32)
    s = (s & 0xFFFFFFFFu) + (s >> 32)
    return s


cdef inline uint32_t csum_sub32(uint32_t a, uint32_t b) noexcept nogil:
    cdef uint64_t s = <uint64_t>a + <uint32_t>~b
    return <uint32_t>((s & 0xFFFFFFFFu) + (s >> 32))


cdef int h_csum_diff(VMState *vm, uint64_t *r) noexcept nogil:
    # csum_diff(from, from_size, to, to_size, seed): since Linux 6.13 the result is the
    # same on every architecture, the 32-bit sum folded to 16 bits (csum_from32to16).
    cdef const uint8_t *a = NULL
    cdef const uint8_t *b = NULL
    cdef uint32_t ret = <uint32_t>r[5]
    if (r[2] | r[4]) & 3 or r[2] + r[4] > 512:
        r[0] = neg(-EINVAL)
        return HELPER_OK
    if r[2]:
        a = vm_access(vm, r[1], r[2], REGION_READ)
        if a == NULL:
            return vm_fault(vm, FAULT_READ, r[1], r[2])
    if r[4]:
        b = vm_access(vm, r[3], r[4], REGION_READ)
        if b == NULL:
            return vm_fault(vm, FAULT_READ, r[3], r[4])
    if r[2] and r[4]:
        ret = csum_sub32(<uint32_t>csum_partial32(b, r[4], ret),
                         <uint32_t>csum_partial32(a, r[2], 0))
    elif r[4]:
        ret = <uint32_t>csum_partial32(b, r[4], ret)
    elif r[2]:
        ret = ~(<uint32_t>csum_partial32(a, r[2], ~ret))
    ret = (ret & 0xFFFF) + (ret >> 16)
    ret = (ret & 0xFFFF) + (ret >> 16)
    r[0] = ret
    return HELPER_OK


cdef int h_strncmp(VMState *vm, uint64_t *r) noexcept nogil:
    # strncmp(s1, s1_sz, s2): the kernel's strncmp, -1/0/1.
    cdef const uint8_t *a = vm_access(vm, r[1], r[2], REGION_READ)
    cdef const uint8_t *b
    cdef uint64_t i = 0
    if a == NULL and r[2]:
        return vm_fault(vm, FAULT_READ, r[1], r[2])
    while i < r[2]:
        b = vm_access(vm, r[3] + i, 1, REGION_READ)
        if b == NULL:
            return vm_fault(vm, FAULT_READ, r[3] + i, 1)
        if a[i] != b[0]:
            r[0] = neg(-1) if a[i] < b[0] else 1
            return HELPER_OK
        if a[i] == 0:
            break
        i += 1
    r[0] = 0
    return HELPER_OK


ctypedef int (*helper_fn_t)(VMState *vm, uint64_t *regs) noexcept nogil


cdef object capsule(helper_fn_t fn):
    return PyCapsule_New(<void *>fn, b"pyebpf.helper", NULL)


def c_helpers() -> dict:
    """Kernel helper id -> "pyebpf.helper" capsule, for every helper written in C."""
    return {
        1: capsule(h_map_lookup_elem),
        2: capsule(h_map_update_elem),
        3: capsule(h_map_delete_elem),
        4: capsule(h_probe_read),
        5: capsule(h_ktime_get_ns),
        7: capsule(h_get_prandom_u32),
        8: capsule(h_get_smp_processor_id),
        12: capsule(h_tail_call),
        14: capsule(h_get_current_pid_tgid),
        15: capsule(h_get_current_uid_gid),
        28: capsule(h_csum_diff),
        42: capsule(h_get_numa_node_id),
        45: capsule(h_probe_read_str),
        87: capsule(h_map_push_elem),
        88: capsule(h_map_pop_elem),
        89: capsule(h_map_peek_elem),
        93: capsule(h_spin_lock),
        94: capsule(h_spin_unlock),
        112: capsule(h_probe_read),
        113: capsule(h_probe_read),
        114: capsule(h_probe_read_str),
        115: capsule(h_probe_read_str),
        118: capsule(h_jiffies64),
        125: capsule(h_ktime_get_boot_ns),
        130: capsule(h_ringbuf_output),
        131: capsule(h_ringbuf_reserve),
        132: capsule(h_ringbuf_submit),
        133: capsule(h_ringbuf_discard),
        134: capsule(h_ringbuf_query),
        160: capsule(h_ktime_get_coarse_ns),
        182: capsule(h_strncmp),
        195: capsule(h_map_lookup_percpu_elem),
    }


def slot_pointer(Executable prog not None) -> tuple:
    """(Insn*, ninsns) of a core program, what a PROG_ARRAY slot holds for tail calls."""
    return <uint64_t>prog.insns, prog.ninsns
