#!/bin/sh
# Rebuild the real-world-style corpus of tests/test_realworld.py (needs clang-19 and
# libbpf-dev): every source at several -mcpu and -O levels, as real projects ship them.
# Objects are NAME.VARIANT.o; the suite's default run takes the v3-O2 ones, PYEBPF_LONG=1
# all.  Legacy-style sources (samples/bpf, iproute2) build without -g, as those loaders did.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
BASE="-target bpf -I/usr/include/$(uname -m)-linux-gnu"
build() {  # source, variant, flags
	$CLANG $BASE $3 -c "$1.bpf.c" -o "$1.$2.o"
}
for src in cilium_xdp cilium_tc suricata_xdp falco_rawtp ovs_tc cgroup_sock sk_flow_lwt; do
	for v in v2 v3 v4; do
		build $src $v-O2 "-O2 -g -mcpu=$v"
	done
	build $src v3-O1 "-O1 -g -mcpu=v3"
	build $src v3-Os "-Os -g -mcpu=v3"
done
for src in samples_legacy iproute2_tc; do
	for v in v1 v2 v3; do
		build $src $v-O2 "-O2 -mcpu=$v"
	done
	build $src v3-O1 "-O1 -mcpu=v3"
done
$CLANG $BASE -mcpu=v3 -c asm_nosym.s -o asm_nosym.v3-O2.o
