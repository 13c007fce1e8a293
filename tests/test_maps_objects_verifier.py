"""check_map_func_compatibility for the maps of kernel objects, and what a program may do
with a DEVMAP value, against the live kernel: each (map type, helper) program's verdict and
first error line are the kernel's."""

from __future__ import annotations

import pytest

from pyebpf import asm, uapi
from pyebpf.errors import BPFError
from pyebpf.objects import Map, Program
from pyebpf.runtime import Runtime
from pyebpf.verifier import diff

MT, PT = uapi.BpfMapType, uapi.BpfProgType
# (map type, key size, value size, entries)
MAPS = {"stack_trace": (MT.BPF_MAP_TYPE_STACK_TRACE, 4, 64, 4),
        "cgroup_array": (MT.BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4),
        "devmap": (MT.BPF_MAP_TYPE_DEVMAP, 4, 4, 4),
        "devmap_hash": (MT.BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4),
        "cpumap": (MT.BPF_MAP_TYPE_CPUMAP, 4, 4, 2),
        "xskmap": (MT.BPF_MAP_TYPE_XSKMAP, 4, 4, 4),
        "sockmap": (MT.BPF_MAP_TYPE_SOCKMAP, 4, 8, 4),
        "sockhash": (MT.BPF_MAP_TYPE_SOCKHASH, 4, 8, 4)}
KEY = "*(u32 *)(r10 - 4) = 0\n r2 = r10\n r2 += -4\n"
CALLS = {
    "lookup": (PT.BPF_PROG_TYPE_XDP, KEY + "ld_pseudo r1, 1, {fd}\n call 1\n r0 = 2\n exit"),
    "lookup-read": (PT.BPF_PROG_TYPE_XDP, KEY + "ld_pseudo r1, 1, {fd}\n call 1\n"
                    " if r0 == 0 goto +1\n r0 = *(u32 *)(r0 + 0)\n r0 = 2\n exit"),
    "lookup-write": (PT.BPF_PROG_TYPE_XDP, KEY + "ld_pseudo r1, 1, {fd}\n call 1\n"
                     " if r0 == 0 goto +2\n r1 = 0\n *(u32 *)(r0 + 0) = r1\n r0 = 2\n exit"),
    "update": (PT.BPF_PROG_TYPE_XDP, KEY + "r3 = r2\n r4 = 0\n ld_pseudo r1, 1, {fd}\n"
               " call 2\n r0 = 2\n exit"),
    "delete": (PT.BPF_PROG_TYPE_SCHED_CLS, KEY + "ld_pseudo r1, 1, {fd}\n call 3\n r0 = 0\n"
               " exit"),
    "redirect_map": (PT.BPF_PROG_TYPE_XDP, "ld_pseudo r1, 1, {fd}\n r2 = 0\n r3 = 0\n"
                     " call 51\n exit"),
    "get_stackid": (PT.BPF_PROG_TYPE_KPROBE, "ld_pseudo r2, 1, {fd}\n r3 = 0\n call 27\n"
                    " r0 = 0\n exit"),
    "skb_under_cgroup": (PT.BPF_PROG_TYPE_SCHED_CLS, "ld_pseudo r2, 1, {fd}\n r3 = 0\n"
                         " call 33\n exit"),
    "current_task_under_cgroup": (PT.BPF_PROG_TYPE_KPROBE, "ld_pseudo r1, 1, {fd}\n r2 = 0\n"
                                  " call 37\n r0 = 0\n exit"),
}


def _outcome(load) -> tuple[bool, str]:
    try:
        load().close()
        return True, ""
    except BPFError as exc:
        return False, diff.error_line(getattr(exc, "log", "") or "") or f"errno {exc.errno}"


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("mname", list(MAPS))
def test_map_helper_pair_as_kernel(kernel, mname: str, call: str) -> None:
    t, ks, vs, n = MAPS[mname]
    prog_type, text = CALLS[call]
    km = kernel.KernelMap(t, ks, vs, n)
    try:
        k = _outcome(lambda: kernel.KernelProgram(
            asm.assemble(text.format(fd=km.fd), "llvm"), prog_type, log_level=1))
    finally:
        km.close()
    rt = Runtime()
    m = Map(t, ks, vs, n, runtime=rt)
    ours = _outcome(lambda: Program(asm.assemble(text.format(fd=m.fd), "llvm"), prog_type,
                                    log_level=1, runtime=rt))
    m.close()
    if mname in ("sockmap", "sockhash") and call.startswith("lookup"):
        # a sock map lookup is a referenced socket in the kernel; pyebpf refuses it, saying
        # it does not model that pointer
        assert not ours[0] and "does not model the socket pointer" in ours[1]
        return
    assert ours == k
