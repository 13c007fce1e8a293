"""A forwarding table for ``bpf_fib_lookup``: devices, routes and neighbours.

The kernel's helper (net/core/filter.c, bpf_ipv4_fib_lookup/bpf_ipv6_fib_lookup) looks the
destination up in the network namespace's FIB, then the next hop's neighbour entry, and
fills ``struct bpf_fib_lookup`` with the egress ifindex, the MAC addresses and the MTU.
pyebpf has no network namespace, so a :class:`Fib` holds what the lookup reads.  The default
one is what a program sees under the kernel's BPF_PROG_TEST_RUN in a namespace nobody
configured: the loopback device (ifindex 1) with forwarding disabled, so a lookup from it
answers BPF_FIB_LKUP_RET_FWD_DISABLED and any other ifindex -ENODEV.

``Runtime.fib`` is the table a runtime's programs look up; configure it with
:meth:`Fib.add_device`, :meth:`Fib.add_route` and :meth:`Fib.add_neighbour`.
"""

from __future__ import annotations

import errno
import ipaddress
import struct
from dataclasses import dataclass, field

AF_INET, AF_INET6 = 2, 10
# enum BPF_FIB_LKUP_RET_*
RET_SUCCESS, RET_BLACKHOLE, RET_UNREACHABLE, RET_PROHIBIT, RET_NOT_FWDED = 0, 1, 2, 3, 4
RET_FWD_DISABLED, RET_UNSUPP_LWT, RET_NO_NEIGH, RET_FRAG_NEEDED, RET_NO_SRC_ADDR = 5, 6, 7, 8, 9
# BPF_FIB_LOOKUP_* flags
DIRECT, OUTPUT, SKIP_NEIGH, TBID, SRC, MARK = 1, 2, 4, 8, 16, 32
FLAGS_MASK = DIRECT | OUTPUT | SKIP_NEIGH | TBID | SRC | MARK
PARAMS_SIZE = 64                    # sizeof(struct bpf_fib_lookup)
RT_TABLE_MAIN = 254
# route types (RTN_*) that are not unicast, with what the helper answers for them
ROUTE_TYPES = {"unicast": None, "blackhole": RET_BLACKHOLE, "unreachable": RET_UNREACHABLE,
               "prohibit": RET_PROHIBIT, "local": RET_NOT_FWDED, "broadcast": RET_NOT_FWDED}


@dataclass
class Device:
    ifindex: int
    mac: bytes = bytes(6)
    mtu: int = 65536
    forwarding: bool = False
    addresses: list = field(default_factory=list)     # the device's own IPs (for BPF_F..._SRC)


@dataclass
class Route:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    ifindex: int
    gateway: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    kind: str = "unicast"
    metric: int = 0
    table: int = RT_TABLE_MAIN
    prefsrc: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    mtu: int = 0


class Fib:
    """Devices, routes (longest prefix wins, then the lower metric) and neighbours."""

    def __init__(self) -> None:
        self.devices: dict[int, Device] = {1: Device(1, mtu=65536)}
        self.routes: list[Route] = []
        self.neighbours: dict[tuple[int, bytes], bytes] = {}

    def add_device(self, ifindex: int, mac: bytes, mtu: int = 1500, forwarding: bool = True,
                   addresses: tuple[str, ...] = ()) -> Device:
        dev = Device(ifindex, bytes(mac), mtu, forwarding,
                     [ipaddress.ip_address(a) for a in addresses])
        self.devices[ifindex] = dev
        return dev

    def add_route(self, prefix: str, ifindex: int, gateway: str | None = None, *,
                  kind: str = "unicast", metric: int = 0, table: int = RT_TABLE_MAIN,
                  prefsrc: str | None = None, mtu: int = 0) -> Route:
        if kind not in ROUTE_TYPES:
            raise ValueError(f"route type {kind!r}: one of {sorted(ROUTE_TYPES)}")
        r = Route(ipaddress.ip_network(prefix), ifindex,
                  ipaddress.ip_address(gateway) if gateway else None, kind, metric, table,
                  ipaddress.ip_address(prefsrc) if prefsrc else None, mtu)
        self.routes.append(r)
        return r

    def add_neighbour(self, ifindex: int, address: str, mac: bytes) -> None:
        self.neighbours[(ifindex, ipaddress.ip_address(address).packed)] = bytes(mac)

    # --- the helper ------------------------------------------------------------------

    def _route(self, dst: ipaddress.IPv4Address | ipaddress.IPv6Address,
               table: int | None) -> Route | None:
        best = None
        for r in self.routes:
            if r.network.version != dst.version or dst not in r.network:
                continue
            if table is not None and r.table != table:
                continue
            key = (r.network.prefixlen, -r.metric)
            if best is None or key > (best.network.prefixlen, -best.metric):
                best = r
        return best

    def lookup(self, params: bytearray, flags: int, tot_len_check: bool) -> int:
        """bpf_ipv4/ipv6_fib_lookup on ``params`` (struct bpf_fib_lookup, changed in place).

        Returns a BPF_FIB_LKUP_RET_* code, or a negative errno."""
        family = params[0]
        ifindex = struct.unpack_from("<I", params, 8)[0]
        v6 = family == AF_INET6
        if v6:
            src = ipaddress.IPv6Address(bytes(params[16:32]))
            dst = ipaddress.IPv6Address(bytes(params[32:48]))
            # link-local, multicast and loopback addresses are never forwarded
            if any(a.is_link_local or a.is_multicast or a.is_loopback for a in (src, dst)):
                return RET_NOT_FWDED
        else:
            src = ipaddress.IPv4Address(bytes(params[16:20]))
            dst = ipaddress.IPv4Address(bytes(params[32:36]))
        dev = self.devices.get(ifindex)
        if dev is None:
            return -errno.ENODEV
        if not dev.forwarding:
            return RET_FWD_DISABLED
        table = None
        if flags & DIRECT:
            table = struct.unpack_from("<I", params, 48)[0] if flags & TBID else RT_TABLE_MAIN
            if not any(r.table == table for r in self.routes):
                return RET_NOT_FWDED          # fib_get_table: no such table
        route = self._route(dst, table)
        if route is None:
            return RET_NOT_FWDED              # -ENETUNREACH
        verdict = ROUTE_TYPES[route.kind]
        if verdict is not None:
            return verdict
        out = self.devices.get(route.ifindex)
        if out is None:
            return RET_NOT_FWDED
        mtu = route.mtu or out.mtu
        if tot_len_check:
            tot_len = struct.unpack_from("<H", params, 6)[0]
            if tot_len > mtu:
                struct.pack_into("<H", params, 6, mtu)
                return RET_FRAG_NEEDED
        struct.pack_into("<I", params, 12, route.metric)          # rt_metric
        struct.pack_into("<I", params, 8, out.ifindex)
        if flags & SRC:
            chosen = route.prefsrc or next((a for a in out.addresses
                                            if a.version == dst.version), None)
            if chosen is None:
                return RET_NO_SRC_ADDR
            params[16:16 + len(chosen.packed)] = chosen.packed
        nexthop = route.gateway or dst
        if route.gateway is not None:
            params[32:32 + len(nexthop.packed)] = nexthop.packed
        if not flags & SKIP_NEIGH:
            mac = self.neighbours.get((out.ifindex, nexthop.packed))
            if mac is None:
                return RET_NO_NEIGH
            params[52:58] = out.mac                               # smac
            params[58:64] = mac                                   # dmac
        struct.pack_into("<HH", params, 48, 0, 0)                 # h_vlan_proto, h_vlan_TCI
        struct.pack_into("<H", params, 6, mtu)                    # mtu_result
        return RET_SUCCESS


__all__ = ["Device", "Fib", "Route"]
