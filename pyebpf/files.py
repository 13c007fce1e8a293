"""Reading input files with a size limit.

Every file pyebpf reads on a user's behalf (objects, captures, packet and context
data, assembly) goes through :func:`read_limited`, so a device such as ``/dev/zero``
or a runaway pipe is refused at a known size instead of filling memory.
"""

from __future__ import annotations

import errno
import os

MAX_OBJECT_BYTES = 256 << 20
"""The largest ELF object, assembly or data file read (256 MiB; an object of 1M
instructions with BTF is some tens of MiB)."""

MAX_CAPTURE_BYTES = 2 << 30
"""The largest packet capture read whole (2 GiB)."""


class InputTooLargeError(OSError):
    """A file larger than the limit for its kind (errno EFBIG)."""


def read_limited(path: str | os.PathLike[str], limit: int = MAX_OBJECT_BYTES) -> bytes:
    """The bytes of ``path``, at most ``limit`` of them, else :class:`InputTooLargeError`.

    OSError from opening or reading the file propagates as it is.
    """
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise InputTooLargeError(errno.EFBIG, f"larger than {limit} bytes, the limit for "
                                 "this kind of input", os.fspath(path))
    return data
