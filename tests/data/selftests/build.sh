#!/bin/sh
# Rebuild the kernel verifier selftest objects of tests/test_selftests.py from src/
# (needs clang-19 and libbpf-dev; files that include vmlinux.h also need bpftool and
# /sys/kernel/btf/vmlinux, from which the header is generated into a temporary directory).
#
# src/verifier_*.c are tools/testing/selftests/bpf/progs/verifier_*.c of Linux 6.12.118
# (GPL-2.0), built as the selftests Makefile builds them: -mcpu=v3, and -mcpu=v4 for the
# files that guard their v4 instructions with __clang_major__ >= 18.  Left out (13 of the
# 95 upstream files) because their headers are not available here or they test kfuncs
# and BTF-typed tracing programs pyebpf has no model of: verifier_arena, arena_large,
# bitfield_write (BPF_CORE_WRITE_BITFIELD of a newer libbpf), bits_iter, bpf_fastcall,
# global_ptr_args, global_subprogs, iterating_callbacks (bpf_experimental.h), kfunc_prog_types,
# netfilter_ctx (dynptr kfuncs),
# sock_addr (bpf_sockopt_helpers.h), vfs_accept, vfs_reject.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
GEN=$(mktemp -d)
trap 'rm -rf "$GEN"' EXIT
if grep -q vmlinux.h src/verifier_*.c; then
	bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$GEN/vmlinux.h"
fi
CFLAGS="-O2 -g -target bpf -D__TARGET_ARCH_x86 -Isrc -Isrc/include -I$GEN -I/usr/include/$(uname -m)-linux-gnu"
for src in src/verifier_*.c; do
	name=$(basename "$src" .c)
	cpu=v3
	if grep -q __clang_major__ "$src"; then
		cpu=v4
	fi
	$CLANG $CFLAGS -mcpu=$cpu -c "$src" -o "$name.o"
done
