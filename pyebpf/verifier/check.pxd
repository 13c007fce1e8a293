# C declarations for check.py compiled in Cython's pure Python mode (check.py is the code).

from pyebpf.verifier cimport scalar as sc
from pyebpf.verifier cimport tnum
from pyebpf.verifier.scalar cimport Reg
from pyebpf.verifier.liveness cimport Liveness

cdef int _O_ADD, _O_SUB, _O_MUL, _O_AND, _O_OR, _O_XOR, _O_LSH, _O_RSH, _O_ARSH, _O_MOV
cdef int _K_ALU, _K_LDX, _K_ST, _K_ATOMIC, _K_LDDW, _K_LDABS, _K_MAY_GOTO, _K_JA, _K_JCOND
cdef int _K_CALL, _K_CALLX, _K_EXIT
cdef unsigned long long _M64, _M32
cdef long long _INSN_LIMIT
cdef int _T_NOT_INIT, _T_SCALAR, _T_CTX, _T_MAP_PTR, _T_MAP_VALUE_OR_NULL, _T_MAP_VALUE, _T_MAP_KEY, _T_STACK, _T_PKT_META, _T_PKT_END, _T_PKT, _T_MEM_OR_NULL, _T_MEM, _T_FUNC

cdef bint _fold_ok(int opc, unsigned long long b, bint is64) noexcept
cdef unsigned long long _fold(int opc, unsigned long long a, unsigned long long b, bint is64) noexcept
cdef bint _ids(dict idmap, object a, object b) except -1
cdef int _branch_taken(Reg a, Reg b, str op, bint is64) except -2


cdef class Dec:
    cdef public object insn, spec, form, dst, src, off, imm, pc
    cdef public str op
    cdef public int kind, opc
    cdef public bint is64, alu_imm
    cdef public unsigned long long imm_u64


cdef class Frame:
    cdef public list regs
    cdef public dict stack
    cdef public object callsite
    cdef public int cb, frameno, subprog, callback_depth
    cpdef Frame copy(self)


cdef class State:
    cdef public long long hits, misses, branches
    cdef public bint cleaned, in_free_list
    cdef public list frames, refs
    cdef public State parent
    cdef public tuple hist
    cdef public long long first_idx, last_idx, insn_idx, callback_unroll_depth
    cpdef State copy(self)


cdef class Checker:
    cdef public object p, prog_type, maps, helpers, cb_sites
    cdef public int log_level
    cdef public bint cont
    cdef public long long scr, from_pc
    cdef public object scr_stack
    cdef public Liveness lv
    cdef public bint priv
    cdef public dict alu_aux
    cdef public dict ptr_aux
    cdef public list lines, stack_depth, stack, reserved, live
    cdef public dict visited
    cdef public long long id_gen, processed, jmps, prev_jmps, prev_insns
    cdef public long long total_states, peak_states, cur_states, max_states_per_insn
    cdef public long long num_backedges
    cdef public object seen
    cdef public bint gpl
    cdef public object jmp_pts, scc
    cdef public dict scc_visits
    cdef public object bt_memo, bt_memo_state
    cdef public long long bt_memo_first
    cdef public bytes insn_bytes
    cdef public bint zero_used
    cdef public long long insn_lines, pc_now, prev_pc, hist_at, hist_flag
    cdef public long long max_ctx_offset
    cdef public dict ctx_loads
    cdef public object attach
    cdef public bint detached
    cpdef Reg read(self, State st, object r)
    cpdef check_dst(self, object r)
    cpdef step(self, State st, Dec d, list stack)
    cpdef alu(self, State st, Dec dec)
    cpdef cond_jmp(self, State st, Dec dec, list stack)
    cpdef trace(self, State st, list regs)
    cpdef bint is_state_visited(self, State st, object pc) except -1
    cpdef clean_states(self, State st, object pc, list lst)
    cpdef bint states_equal(self, State old, State cur, long long live, int exact) except -1
    cpdef bint regsafe(self, Reg o, Reg c, dict idmap, int exact) except -1
    cpdef tuple path_done(self, State st, list stack)
    cpdef State push(self, State st, object pc, object prev, list stack)
    cpdef add_state(self, State st, list lst)
    cpdef push_hist(self, State st, long long flags, tuple linked=*)
    cpdef precise(self, State st, int regno)
    cpdef bint precise_fast(self, State st, int regno) except -1
