#!/bin/sh
# Rebuild the objects of tests/test_verifier_liveness.py (needs clang-19 and libbpf-dev).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
$CLANG -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c liveness.bpf.c -o liveness.o
