"""The part of Cython's ``cython`` module that pyebpf's pure-Python-mode modules use.

The verifier's hot modules (``pyebpf/verifier/{tnum,scalar,liveness,check}.py``) are plain
Python with Cython annotations; where they were compiled, the annotations are types.
Run uncompiled on a machine without Cython (a wheel-less install with no compiler,
PyPy, a source checkout), they import this instead, which gives every annotation its
plain-Python meaning, as Cython's own ``Shadow`` module does: types are Python's
``int``/``bool``, ``cast`` converts as Python would, the decorators change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

compiled = False

int = int            # the C types, as Python types
longlong = int
ulonglong = int
Py_ssize_t = int
bint = bool

_UNSET = object()


def cast(t: Any, *args: Any, **kwargs: Any) -> Any:
    """``cython.cast``: a Python type converts (``int(x)``), an instance passes."""
    kwargs.pop("typecheck", None)
    if isinstance(t, type) and not (len(args) == 1 and (args[0] is None
                                                       or isinstance(args[0], t))):
        return t(*args)
    return args[0]


def declare(t: Any = None, value: Any = _UNSET, **kwargs: Any) -> Any:
    """``cython.declare``: the value (cast to ``t``), else the type's zero."""
    if value is not _UNSET:
        return cast(t, value)
    if t in (int, bool, float):
        return t()
    return None


def locals(**types: Any) -> Callable[[Any], Any]:
    return lambda fn: fn


def final(cls: Any) -> Any:
    return cls


def cclass(cls: Any) -> Any:
    return cls
