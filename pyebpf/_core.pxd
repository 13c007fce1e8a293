# Declarations of the interpreter's C-level state, shared with the other
# compiled modules (maps, helpers) that cimport them.

from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t

cdef enum:
    MAX_REGIONS = 64
    MAX_HELPERS = 1024
    STACK_SIZE = 512
    MAX_FRAMES = 8
    TAIL_CALL_LIMIT = 33
    INSN_BYTES = 16         # sizeof(Insn), checked at import
    MAX_LOOPS = 8388608     # may_goto's budget per frame (the kernel's BPF_MAX_LOOPS)

    REGION_READ = 1
    REGION_WRITE = 2
    REGION_RW = 3

    # What a C helper returns.
    HELPER_OK = 0
    HELPER_TAIL_CALL = 1    # vm.tail_insns/tail_ninsns hold the program to continue with
    HELPER_EXIT = 2         # end the program now, r0 as the helper left it
    HELPER_FAULT = -1       # vm.fault_* describe why

    # Why a run stopped abnormally (VMState.fault_kind).
    FAULT_NONE = 0
    FAULT_READ = 1
    FAULT_WRITE = 2
    FAULT_BUDGET = 3
    FAULT_DEPTH = 4
    FAULT_NO_HELPER = 5
    FAULT_PYTHON = 6
    FAULT_HELPER = 7
    FAULT_ILLEGAL = 8


ctypedef struct Insn:
    # Pre-decoded instruction (16 bytes): handler id from isa.SPECS, jump
    # target as a byte offset from the first instruction (saves a shift on
    # every taken jump).  LD_IMM64 keeps its upper half in the next slot's imm.
    uint8_t handler
    uint8_t dst
    uint8_t src
    uint8_t opcode
    int16_t off
    int16_t _pad
    int32_t imm
    int32_t target

ctypedef struct Region:
    uint64_t start
    uint64_t end
    uint32_t flags
    uint32_t _pad

ctypedef struct Frame:
    uint64_t saved[5]       # r6..r9 and r10 of the caller
    Insn *insns             # the caller's code (a tail call may have changed it)
    int32_t ninsns
    int32_t ret_pc
    uint32_t may_goto       # the caller's may_goto budget

ctypedef struct VMState

ctypedef int (*helper_fn)(VMState *vm, uint64_t *regs) noexcept nogil

ctypedef struct HelperSlot:
    helper_fn fn
    void *py                # borrowed PyObject*; VM.helpers keeps the reference

ctypedef struct VMState:
    uint64_t regs[11]
    Region regions[MAX_REGIONS]   # regions[0] is the live part of the stack
    int nregions
    uint64_t hot_read_start       # the region of the last successful load ...
    uint64_t hot_read_span        # ... (span 0: none), checked before the others
    uint64_t hot_write_start
    uint64_t hot_write_span
    uint8_t *stack                # MAX_FRAMES * STACK_SIZE bytes
    const uint8_t *packet         # what LD_ABS/LD_IND read
    uint64_t packet_len
    int64_t budget
    int32_t depth
    uint32_t may_goto             # may_goto's budget in the current frame
    int32_t tail_calls
    Insn *tail_insns
    int32_t tail_ninsns
    int32_t cpu
    HelperSlot *helpers
    void *owner                   # the VM object, for Python helpers
    void *user                    # the runtime that owns the maps, for C helpers
    int fault_kind
    int32_t fault_pc
    uint64_t fault_addr
    uint64_t fault_size
    Frame frames[MAX_FRAMES]
    # The JIT's state (pyebpf/_jit.pyx): the native stack pointer at entry, and the
    # last region vm_access accepted as start + limit (an access of up to 8 bytes at
    # addr is inside when addr - start < lim; lim 0: none).  The write one is only
    # ever a read-write region, so atomics may use it too.
    uint64_t jit_rsp
    uint64_t jit_read_start
    uint64_t jit_read_lim
    uint64_t jit_write_start
    uint64_t jit_write_lim

ctypedef int (*jit_fn)(VMState *vm) noexcept nogil


cdef uint8_t *vm_access(VMState *vm, uint64_t addr, uint64_t size, uint32_t need) noexcept nogil
cdef int vm_fault(VMState *vm, int kind, uint64_t addr, uint64_t size) noexcept nogil
cdef int vm_call_helper(VMState *vm, uint64_t hid) noexcept nogil


cdef class Executable:
    cdef Insn *insns
    cdef int32_t ninsns
    cdef readonly bytes code
    cdef readonly int cpu
    cdef readonly list instructions
    cdef jit_fn jit_entry           # native code for this program (pyebpf._jit), or NULL
    cdef readonly object jit_image  # what owns that code
    cdef readonly object jit_error  # why the JIT was asked for and not used (str), or None


cdef class VM:
    cdef VMState state
    cdef HelperSlot slots[MAX_HELPERS]
    cdef dict helpers
    cdef list static_regions
    cdef object pending_exc
    cdef list _keep
    cdef bint running
    cdef readonly int64_t budget_default
    cdef public object user_object
