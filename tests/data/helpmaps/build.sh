#!/bin/sh
# Rebuild the helper and map test objects (apt-get install clang-19 libbpf-dev).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
CFLAGS="-O2 -g -target bpf -mcpu=v3 -Wall -I/usr/include/$(uname -m)-linux-gnu"
for src in *.bpf.c; do
	$CLANG $CFLAGS -c "$src" -o "${src%.bpf.c}.o"
done
