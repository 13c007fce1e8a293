# C declarations for tnum.py compiled in Cython's pure Python mode (tnum.py is the code).

cdef unsigned long long _M64, _M32


cdef class Tnum:
    cdef readonly unsigned long long value
    cdef readonly unsigned long long mask
    cpdef bint is_const(self) noexcept
    cpdef bint is_unknown(self) noexcept


cdef Tnum _mk(unsigned long long v, unsigned long long m)
cpdef Tnum lshift(Tnum a, int s)
cpdef Tnum rshift(Tnum a, int s)
cpdef Tnum add(Tnum a, Tnum b)
cpdef Tnum sub(Tnum a, Tnum b)
cpdef Tnum and_(Tnum a, Tnum b)
cpdef Tnum or_(Tnum a, Tnum b)
cpdef Tnum xor(Tnum a, Tnum b)
cpdef Tnum intersect(Tnum a, Tnum b)
cpdef Tnum subreg(Tnum a)
cpdef Tnum clear_subreg(Tnum a)
cpdef Tnum with_subreg(Tnum a, Tnum s)
cpdef bint contains(Tnum a, Tnum b) except -1
cpdef Tnum const_u64(unsigned long long v)
