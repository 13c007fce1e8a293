"""The parts of an sk_buff tc helpers change besides its bytes: VLAN tag, protocol, hash,
tunnel metadata, clones sent elsewhere, and the XDP redirect through a map.

:class:`SkbModel` is mixed into :class:`pyebpf.progtypes.RunState`; each method is the
kernel's helper body (net/core/filter.c, net/core/skbuff.c) on pyebpf's packet buffer:
``self.data``/``self.end`` delimit the packet in ``self.frame``, ``self.ctx_buf`` is the
``struct __sk_buff`` the program reads.  What a test run leaves behind is returned by
:meth:`SkbModel.skb_meta` (the VLAN tag, the tunnel key set, the clones).
"""

from __future__ import annotations

import errno
import hashlib
import struct
from typing import Any

ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD = 0x0800, 0x86DD, 0x8100, 0x88A8
ENOTSUPP = 524
BPF_F_INGRESS = 1
# bpf_skb_set_tunnel_key flags
TUNINFO_IPV6, ZERO_CSUM_TX, DONT_FRAGMENT, SEQ_NUMBER, NO_TUNNEL_KEY = 1, 2, 4, 8, 16
TUNINFO_FLAGS = 16       # bpf_skb_get_tunnel_key: BPF_F_TUNINFO_FLAGS
TUNNEL_KEY_SIZE = 44     # sizeof(struct bpf_tunnel_key)
# the older layouts both helpers still take: offsetof(remote_ipv6[1]), (tunnel_ext),
# (tunnel_label), (local_ipv6[0])
_COMPAT_SIZES = (8, 22, 24, 28)
XDP_ABORTED, XDP_REDIRECT = 0, 4
BPF_F_BROADCAST = 8


def _neg(e: int) -> int:
    return (-e) & ((1 << 64) - 1)


class SkbModel:
    """Mixin: needs ``frame``, ``data``, ``end``, ``ctx_buf``, ``kind``, ``prog``,
    ``maps_by_address`` and ``redirect_to`` (pyebpf.progtypes.RunState)."""

    vlan: tuple[int, int] | None = None      # the hardware-accelerated tag (proto, tci)
    tunnel: dict | None = None               # ip_tunnel_info set by bpf_skb_set_tunnel_key
    clones: list | None = None               # (ifindex, flags, bytes) per bpf_clone_redirect

    # --- packet surgery at the network header ----------------------------------------

    def _proto(self) -> int:
        return int.from_bytes(int(self.ctx_buf.protocol).to_bytes(2, "little"), "big")

    def _set_proto(self, proto: int) -> None:
        self.ctx_buf.protocol = int.from_bytes(proto.to_bytes(2, "big"), "little")

    def _insert(self, off: int, raw: bytes) -> int:
        """Grow the packet by ``raw`` at ``off`` (moving the bytes before it to the left)."""
        n = len(raw)
        if self.data - n < 0:
            return _neg(errno.ENOMEM)
        buf = self.frame.buf
        buf[self.data - n:self.data - n + off] = bytes(buf[self.data:self.data + off])
        self.data -= n
        buf[self.data + off:self.data + off + n] = raw
        self.meta = self.data
        self.sync_ctx()
        return 0

    def _remove(self, off: int, n: int) -> None:
        buf = self.frame.buf
        buf[self.data + n:self.data + n + off] = bytes(buf[self.data:self.data + off])
        self.data += n
        self.meta = self.data
        self.sync_ctx()

    def _mac_len(self) -> int:
        return 14 if self.kind == "skb" and self.prog.prog_type in (3, 4) else 0

    # --- VLAN (skb_vlan_push / skb_vlan_pop) -----------------------------------------

    def _publish_vlan(self) -> None:
        c = self.ctx_buf
        if self.vlan is None:
            c.vlan_present, c.vlan_tci, c.vlan_proto = 0, 0, 0
        else:
            c.vlan_present, c.vlan_tci = 1, self.vlan[1]
            c.vlan_proto = int.from_bytes(self.vlan[0].to_bytes(2, "big"), "little")

    def vlan_push(self, proto: int, tci: int) -> int:
        if proto not in (ETH_P_8021Q, ETH_P_8021AD):
            proto = ETH_P_8021Q
        if self.vlan is not None:       # the present tag goes into the frame, in-band
            rc = self._insert(12, struct.pack(">HH", *self.vlan))
            if rc:
                return rc
            self._set_proto(self.vlan[0])       # skb->protocol = the tag's protocol
        self.vlan = (proto, tci)
        self._publish_vlan()
        return 0

    def _pop_inband(self) -> int | None:
        if self.end - self.data < 18:
            return None
        tci = struct.unpack_from(">H", bytes(self.frame.buf[self.data + 14:self.data + 16]))[0]
        inner = bytes(self.frame.buf[self.data + 16:self.data + 18])
        self._remove(12, 4)
        self._set_proto(int.from_bytes(inner, "big"))
        return tci

    def vlan_pop(self) -> int:
        if self.vlan is not None:
            self.vlan = None
        else:
            if self._proto() not in (ETH_P_8021Q, ETH_P_8021AD):
                return 0
            if self._pop_inband() is None:
                return _neg(errno.EINVAL)
        proto = self._proto()
        if proto in (ETH_P_8021Q, ETH_P_8021AD):     # the next tag becomes the accelerated one
            tci = self._pop_inband()
            if tci is None:
                return _neg(errno.EINVAL)
            self.vlan = (proto, tci)
        self._publish_vlan()
        return 0

    # --- bpf_skb_change_proto ----------------------------------------------------------

    def change_proto(self, proto: int, flags: int) -> int:
        if flags:
            return _neg(errno.EINVAL)
        frm = self._proto()
        off = self._mac_len()
        if frm == ETH_P_IP and proto == ETH_P_IPV6:
            rc = self._insert(off, bytes(20))        # room for the bigger header, zeroed
            if rc:
                return rc
        elif frm == ETH_P_IPV6 and proto == ETH_P_IP:
            if self.end - self.data < off + 20:
                return _neg(errno.EINVAL)
            self._remove(off, 20)
        else:
            return _neg(ENOTSUPP)
        self._set_proto(proto)
        self.ctx_buf.hash = 0                        # skb_clear_hash
        return 0

    # --- flow hash (skb_get_hash) ------------------------------------------------------

    def flow_hash(self) -> int:
        pkt = bytes(self.frame.buf[self.data:self.end])
        off = self._mac_len()
        proto = self._proto()
        key = proto.to_bytes(2, "big")
        l4 = None
        if proto == ETH_P_IP and len(pkt) >= off + 20:
            ihl = (pkt[off] & 0xF) * 4
            key += pkt[off + 12:off + 20] + pkt[off + 9:off + 10]
            l4 = (pkt[off + 9], off + ihl)
        elif proto == ETH_P_IPV6 and len(pkt) >= off + 40:
            key += pkt[off + 8:off + 40] + pkt[off + 6:off + 7]
            l4 = (pkt[off + 6], off + 40)
        if l4 is not None and l4[0] in (6, 17, 132) and len(pkt) >= l4[1] + 4:
            key += pkt[l4[1]:l4[1] + 4]
        seed = id(self.prog.runtime).to_bytes(8, "little")   # per runtime, as per boot
        h = int.from_bytes(hashlib.blake2s(key, digest_size=4, key=seed).digest(), "little")
        h = h or 1                                   # __flow_hash_from_keys: never 0
        self.ctx_buf.hash = h
        return h

    # --- tunnel metadata (bpf_skb_{get,set}_tunnel_key) ----------------------------------

    def set_tunnel_key(self, raw: bytes, flags: int) -> int:
        if flags & ~(TUNINFO_IPV6 | ZERO_CSUM_TX | DONT_FRAGMENT | SEQ_NUMBER | NO_TUNNEL_KEY):
            return _neg(errno.EINVAL)
        if len(raw) != TUNNEL_KEY_SIZE:
            if len(raw) not in _COMPAT_SIZES:
                return _neg(errno.EINVAL)
            raw = raw + bytes(TUNNEL_KEY_SIZE - len(raw))
        tid, = struct.unpack_from("<I", raw, 0)
        tos, ttl, ext, label = struct.unpack_from("<BBHI", raw, 20)
        if (not flags & TUNINFO_IPV6 and label) or ext:
            return _neg(errno.EINVAL)
        v6 = bool(flags & TUNINFO_IPV6)
        if v6:   # the remote becomes the destination, the local the source (egress view)
            dst, src = raw[4:20], raw[28:44]
        else:
            dst, src = raw[4:8][::-1], raw[28:32][::-1]      # host order in, network out
        self.tunnel = {"id": tid, "tos": tos, "ttl": ttl, "ipv6": v6, "dst": dst, "src": src,
                       "label": label & 0xFFFFF if v6 else 0, "flags": flags}
        return 0

    def get_tunnel_key(self, size: int, flags: int) -> tuple[bytes, int]:
        info = self.tunnel
        if info is None or flags & ~(TUNINFO_IPV6 | TUNINFO_FLAGS):
            return bytes(size), _neg(errno.EINVAL)
        if info["ipv6"] != bool(flags & TUNINFO_IPV6):
            return bytes(size), _neg(errno.EPROTO)
        if size != TUNNEL_KEY_SIZE and (size not in _COMPAT_SIZES or
                                        (size == 8 and info["ipv6"])):
            return bytes(size), _neg(errno.EINVAL)
        out = bytearray(TUNNEL_KEY_SIZE)
        struct.pack_into("<IBB", out, 0, info["id"], 0, 0)
        struct.pack_into("<BB", out, 20, info["tos"], info["ttl"])
        if info["ipv6"]:   # what is read is the source (ingress view: the remote end)
            out[4:20], out[28:44] = info["src"], info["dst"]
            struct.pack_into("<I", out, 24, info["label"])
        else:
            out[4:8], out[28:32] = info["src"][::-1], info["dst"][::-1]
        if flags & TUNINFO_FLAGS:
            struct.pack_into(">H", out, 22, self._tunnel_flags(info["flags"]))
        return bytes(out[:size]), 0

    @staticmethod
    def _tunnel_flags(flags: int) -> int:
        """ip_tunnel_flags_to_be16 of the flags set_tunnel_key gave the tunnel: the low 16
        IP_TUNNEL_*_BIT bits (CSUM 0, KEY 2, SEQ 3, DONT_FRAGMENT 8, NOCACHE 13)."""
        out = 1 << 13                                  # always TUNNEL_NOCACHE
        if not flags & ZERO_CSUM_TX:
            out |= 1 << 0
        if not flags & NO_TUNNEL_KEY:
            out |= 1 << 2
        if flags & SEQ_NUMBER:
            out |= 1 << 3
        if flags & DONT_FRAGMENT:
            out |= 1 << 8
        return out

    # --- bpf_clone_redirect ------------------------------------------------------------

    def clone_redirect(self, ifindex: int, flags: int) -> int:
        if flags & ~BPF_F_INGRESS:
            return _neg(errno.EINVAL)
        if ifindex not in self.prog.runtime.fib.devices:
            return _neg(errno.EINVAL)
        if self.clones is None:
            self.clones = []
        self.clones.append((ifindex, flags, bytes(self.frame.buf[self.data:self.end])))
        return 0

    # --- bpf_redirect_map (XDP) --------------------------------------------------------

    def redirect_map(self, map_ptr: int, key: int, flags: int) -> int:
        """__bpf_xdp_redirect_map: a present entry (or a broadcast) redirects; a missing one
        answers the action in the low bits of flags."""
        from pyebpf.maps import CPUMAP, DEVMAP, DEVMAP_HASH, XSKMAP

        bmap = self.maps_by_address.get(map_ptr)
        if flags & ~(3 | BPF_F_BROADCAST | 16) or bmap is None:
            return XDP_ABORTED
        if bmap.map_type not in (DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP):
            return XDP_ABORTED
        if flags & BPF_F_BROADCAST and bmap.map_type in (DEVMAP, DEVMAP_HASH):
            self.redirect_to = (key, flags, map_ptr)
            return XDP_REDIRECT
        try:
            bmap.cmap.lookup(key.to_bytes(4, "little"))
        except Exception:
            return flags & 3
        self.redirect_to = (key, flags, map_ptr)
        return XDP_REDIRECT

    def skb_meta(self) -> dict[str, Any]:
        """What the run left in the skb model (empty when nothing was set)."""
        out: dict[str, Any] = {}
        if self.vlan is not None:
            out["vlan"] = self.vlan
        if self.tunnel is not None:
            out["tunnel"] = dict(self.tunnel)
        if self.clones:
            out["clones"] = list(self.clones)
        return out


__all__ = ["SkbModel"]
