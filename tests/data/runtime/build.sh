#!/bin/sh
# Rebuild the test objects of tests/test_runtime_faults.py (needs clang-19 and libbpf-dev).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
CFLAGS="-O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu"
$CLANG $CFLAGS -mcpu=v3 -c loop_packet.bpf.c -o loop_packet.o
