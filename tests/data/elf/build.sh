#!/bin/sh
# Rebuild the test objects of tests/test_elf.py (needs clang-19 and libbpf-dev).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
CFLAGS="-O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu"
for cpu in v1 v2 v3 v4; do
	$CLANG $CFLAGS -mcpu=$cpu -c full.bpf.c -o full.$cpu.o
done
$CLANG $CFLAGS -mcpu=v3 -c legacy.bpf.c -o legacy.o
$CLANG $CFLAGS -mcpu=v3 -c core.bpf.c -o core.o
$CLANG $CFLAGS -mcpu=v3 -c spin_lock.bpf.c -o spin_lock.o
