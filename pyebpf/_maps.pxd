# Declarations of the C map storage, shared with the helpers that cimport it.
#
# Every map is one MapC struct (what a program's LD_IMM64 map pointer holds the
# address of) over preallocated slabs.  Values live in ONE slab per map so the
# interpreter can expose it as a single memory region: pointers returned by
# map_lookup_elem are then ordinary loads and stores for the program.

from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

from pyebpf._core cimport VMState

cdef enum:
    NIL = 0xFFFFFFFF           # "no element" in the index arrays
    MAX_RUN_MAPS = 256

ctypedef struct MapC:
    uint32_t map_type
    uint32_t key_size
    uint32_t value_size
    uint32_t max_entries
    uint32_t map_flags
    uint32_t stride            # value_size rounded up to 8 (the kernel's per-CPU step)
    uint32_t elem_size         # bytes per element in the value slab
    uint32_t ncpus
    uint32_t percpu
    uint32_t count             # elements in use
    uint32_t nbuckets          # hash: power of two
    uint32_t free_head         # hash/lpm: first free element
    uint32_t lru_rot           # LRU: next_inactive_rotation (an element or a list head)
    uint32_t lru_target        # LRU: free elements taken to the local list at a time
    uint32_t lru_counts[2]     # LRU: elements on the active and inactive lists
    uint32_t qhead             # queue/stack: index of the oldest element
    uint32_t nr_hash           # bloom filter
    uint32_t seed
    uint32_t frozen
    uint64_t bitmask           # bloom: number of bits - 1
    int32_t spin_lock_off      # offset of the value's struct bpf_spin_lock, -1: none
    int lock
    uint8_t *keys              # key_size * max_entries (hash, lpm)
    uint8_t *values            # the value slab: the region programs may touch
    uint64_t values_len
    uint32_t *next             # hash chains / free list
    uint32_t *buckets
    uint32_t *hashes
    uint32_t *lru_prev         # LRU: the lists, with their heads after the elements
    uint32_t *lru_next
    uint8_t *lru_state         # LRU: each element's list, referenced and hashed bits
    uint8_t *used              # lpm, fd arrays: slot in use
    uint64_t *slots            # fd arrays: MapC* or Insn* of each slot
    int32_t *slot_len          # prog arrays: instruction count of each slot
    uint64_t cons_pos          # ring buffer
    uint64_t prod_pos
    uint64_t *bits             # bloom filter bit set
    void *owner                # the CMap object (borrowed)

ctypedef struct RunC:
    # What the C helpers see through VMState.user during one run.
    MapC *maps[MAX_RUN_MAPS]   # sorted: the map pointers valid in this run
    int nmaps
    uint64_t prandom
    uint64_t pid_tgid
    uint64_t uid_gid
    uint64_t boot_offset_ns
    void *owner                # the RunContext object (borrowed)


cdef uint8_t *map_lookup(MapC *m, const uint8_t *key, int32_t cpu) noexcept nogil
cdef int map_update(MapC *m, const uint8_t *key, const uint8_t *value, uint64_t flags,
                    int32_t cpu, bint onallcpus) noexcept nogil
cdef int map_delete(MapC *m, const uint8_t *key) noexcept nogil
cdef int map_push(MapC *m, const uint8_t *value, uint64_t flags) noexcept nogil
cdef int map_pop(MapC *m, uint8_t *out, bint remove) noexcept nogil
cdef MapC *run_map(VMState *vm, uint64_t ptr) noexcept nogil


cdef class CMap:
    cdef MapC *c
    cdef dict refs             # slot -> object kept alive for fd maps
    cdef readonly int map_type
    cdef bytes _key(self, key)


cdef class RunContext:
    cdef RunC c
    cdef readonly list maps
    cdef public object state   # per-run Python state (packet, trace output, ...)
