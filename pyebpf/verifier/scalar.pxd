# C declarations for scalar.py compiled in Cython's pure Python mode (scalar.py is the code).

from pyebpf.verifier cimport tnum
from pyebpf.verifier.tnum cimport Tnum


cdef class Reg:
    cdef public int t
    cdef public int frame
    cdef public long long id
    cdef public long long ref
    cdef public bint precise
    cdef public object off
    cdef public object rng
    cdef public object mp
    cdef public object memsz
    cdef public Tnum tn
    cdef public object smin, smax, umin, umax, s32min, s32max, u32min, u32max
    cpdef void set_unknown(self)
    cpdef set_const(self, object v)
    cpdef Reg copy(self)
    cpdef void assign(self, Reg o)
    cpdef bint same(self, Reg o) except -1
    cpdef bint is_const(self) noexcept
    cpdef bint is_ptr(self) noexcept


cpdef Reg unknown_scalar()
cpdef Reg const_scalar(object v)
cpdef s64(object v)
cpdef s32(object v)
cpdef void sync(Reg r) except *
cpdef bint is_bottom(Reg r) except -1
cpdef void zext32(Reg r) except *
cpdef void coerce(Reg r, int size) except *
cpdef void alu_scalar(str op, Reg dst, Reg src, bint is64) except *
cdef void _update_bounds(Reg r) except *
cdef void _deduce32(Reg r) except *
cdef void _deduce64(Reg r) except *
cdef void _deduce_mixed(Reg r) except *
cdef void _bound_offset(Reg r) except *
cpdef Reg const_u64(unsigned long long v)
cpdef void byte_swap(Reg r, bint to_le, int bits) except *
