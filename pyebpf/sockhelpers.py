"""Prototypes of the helpers only socket-side and cgroup program types call.

SOCK_OPS, CGROUP_SOCK_ADDR, CGROUP_SOCKOPT, CGROUP_SYSCTL, SK_MSG, SK_SKB and SK_REUSEPORT
programs run in the kernel on real sockets, and the kernel has no BPF_PROG_TEST_RUN for
them (ENOTSUPP): pyebpf verifies them as the kernel does and, like the kernel's test_run,
cannot run them.  Their helpers therefore get the kernel's ``bpf_func_proto`` (what the
verifier checks each call against) and an implementation that refuses with that reason,
should one ever be reached from a program pyebpf does run (none of the types that run
offers these helpers: see pyebpf.progtypes).

A helper :mod:`pyebpf.helpers` defines itself (with a real implementation) wins: entries
are only added where the id is still free.
"""

from __future__ import annotations

import itertools
from typing import Any

from pyebpf.errors import HelperError
from pyebpf.helpers import (
    ANY,
    CTX,
    HELPERS,
    INT,
    KEY,
    MAP,
    MEM_RO,
    SIZE,
    UNINIT_MEM,
    Arg,
    ArgSpec,
    F,
    Helper,
    Mod,
    Ret,
    _state,
)

MEM_W = ArgSpec(Arg.ARG_PTR_TO_MEM, Mod.MEM_WRITE)   # read for a key, then written


def _no_socket(name: str) -> Any:
    def impl(vm: Any, *_: int) -> int:
        raise HelperError(f"bpf_{name} works on a kernel socket, which pyebpf does not "
                          "have: programs calling it are verified only", -1)
    impl.__name__ = name
    return impl


_CHANGES_PKT_DATA = frozenset(("msg_pull_data",))
_COOKIES = itertools.count(1)


def get_socket_cookie(vm: Any, ctx: int, *_: int) -> int:
    """bpf_get_socket_cookie of an skb under test_run: the kernel's test_run gives each run
    a socket of its own (sk_alloc of bpf_dummy_proto), so one cookie per run, never 0."""
    st = _state(vm)
    if st.kind != "skb":
        raise HelperError("bpf_get_socket_cookie works on a kernel socket, which pyebpf does "
                          "not have for this program type: verified only", -1)
    if not st.socket_cookie:
        st.socket_cookie = next(_COOKIES)
    return st.socket_cookie


def _run_socket(vm: Any, sk: int, name: str) -> Any:
    """The run's state, when ``sk`` is the test run's socket (the only one pyebpf has)."""
    st = _state(vm)
    if st.kind != "skb" or not st.socket or sk != st.socket:
        raise HelperError(f"bpf_{name} works on a kernel socket, which pyebpf does not have "
                          "for this program: verified only", -1)
    return st


def sk_fullsock(vm: Any, sk: int, *_: int) -> int:
    """The test run's socket is a full one (neither TIME_WAIT nor NEW_SYN_RECV)."""
    _run_socket(vm, sk, "sk_fullsock")
    return sk


def tcp_sock(vm: Any, sk: int, *_: int) -> int:
    """NULL: the test run's socket (protocol 0) is no TCP socket."""
    _run_socket(vm, sk, "tcp_sock")
    return 0


def get_listener_sock(vm: Any, sk: int, *_: int) -> int:
    """NULL: the test run's socket is closed, not listening."""
    _run_socket(vm, sk, "get_listener_sock")
    return 0


_IMPLS = {"get_socket_cookie": get_socket_cookie, "sk_fullsock": sk_fullsock,
          "tcp_sock": tcp_sock, "get_listener_sock": get_listener_sock}
SOCK_COMMON = ArgSpec(Arg.ARG_PTR_TO_SOCK_COMMON)
# name -> (ret, args): the socket casts (bpf_sk_fullsock_proto, bpf_tcp_sock_proto,
# bpf_get_listener_sock_proto in net/core/filter.c)
_CAST_PROTOTYPES: dict[str, tuple[Ret, tuple]] = {
    "sk_fullsock": (Ret.RET_PTR_TO_SOCKET_OR_NULL, (SOCK_COMMON,)),
    "tcp_sock": (Ret.RET_PTR_TO_TCP_SOCK_OR_NULL, (SOCK_COMMON,)),
    "get_listener_sock": (Ret.RET_PTR_TO_SOCKET_OR_NULL, (SOCK_COMMON,)),
}
# name -> (args, pkt_access): all return RET_INTEGER (bpf_*_proto in net/core/filter.c,
# kernel/bpf/cgroup.c and net/core/sock_map.c)
_SOCKET_PROTOTYPES: dict[str, tuple[tuple, bool]] = {
    "sock_ops_cb_flags_set": ((CTX, ANY), False),
    "setsockopt": ((CTX, ANY, ANY, MEM_RO, SIZE), False),
    "getsockopt": ((CTX, ANY, ANY, UNINIT_MEM, SIZE), False),
    "get_socket_cookie": ((CTX,), False),
    "bind": ((CTX, MEM_RO, SIZE), False),
    "sock_map_update": ((CTX, MAP, KEY, ANY), False),
    "sock_hash_update": ((CTX, MAP, KEY, ANY), False),
    "msg_redirect_map": ((CTX, MAP, ANY, ANY), False),
    "msg_redirect_hash": ((CTX, MAP, KEY, ANY), False),
    "msg_apply_bytes": ((CTX, ANY), False),
    "msg_cork_bytes": ((CTX, ANY), False),
    "msg_pull_data": ((CTX, ANY, ANY, ANY), False),
    "sk_redirect_map": ((CTX, MAP, ANY, ANY), False),
    "sk_redirect_hash": ((CTX, MAP, KEY, ANY), False),
    "sysctl_get_name": ((CTX, UNINIT_MEM, SIZE, ANY), False),
    "sysctl_get_current_value": ((CTX, UNINIT_MEM, SIZE), False),
    "sysctl_get_new_value": ((CTX, UNINIT_MEM, SIZE), False),
    "sysctl_set_new_value": ((CTX, MEM_RO, SIZE), False),
    "sk_select_reuseport": ((CTX, MAP, KEY, ANY), False),
    "load_hdr_opt": ((CTX, MEM_W, SIZE, ANY), False),
    "store_hdr_opt": ((CTX, MEM_RO, SIZE, ANY), False),
    "reserve_hdr_opt": ((CTX, ANY, ANY), False),
}
SOCKET_HELPERS = frozenset(F["BPF_FUNC_" + n].value
                           for n in (*_SOCKET_PROTOTYPES, *_CAST_PROTOTYPES))


def install() -> None:
    for name, (args, pkt) in _SOCKET_PROTOTYPES.items():
        hid = F["BPF_FUNC_" + name].value
        impl = _IMPLS.get(name) or _no_socket(name)
        HELPERS.setdefault(hid, Helper(hid, name, INT, tuple(args), impl,
                                       False, pkt, name in _CHANGES_PKT_DATA))
    for name, (ret, args) in _CAST_PROTOTYPES.items():
        # pyebpf runs these on the test-run socket: they replace the generic table's entry
        # (same prototype, but an implementation that says the helper cannot run)
        hid = F["BPF_FUNC_" + name].value
        HELPERS[hid] = Helper(hid, name, ret, args, _IMPLS[name])


install()
