# C declarations for liveness.py compiled in Cython's pure Python mode (liveness.py is the
# code): the checker calls into it at every instruction, so its classes are C structs.

cdef class Masks:
    cdef public list may_read, must_write, must_write_acc, live_before


cdef class Instance:
    cdef public tuple callsites
    cdef public int curframe
    cdef public long long start, n
    cdef public list frames, must_write_set
    cdef public bint updated, must_write_dropped
    cpdef Masks masks(self, int frame)


cdef class Liveness:
    cdef public object p, out, calls_callback
    cdef public dict instances, _postorder
    cdef public Instance cur
    cdef public long long pc
    cdef public list write_acc, _ends
    cdef public bint any_write
    cpdef Instance ensure(self, object st)
    cpdef mark_read(self, object st, int frame, long long pc, object mask)
    cpdef mark_write(self, int frame, object mask)
    cpdef commit(self, object st, long long pc)
