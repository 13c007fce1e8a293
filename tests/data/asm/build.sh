#!/bin/sh
# Rebuild the test objects and their expected disassembly.
#   <prog>.v1.o .. <prog>.v4.o    clang-19 -O2 -target bpf -mcpu=vN
#   <prog>.vN.objdump             `llvm-objdump -d` of that object: llvm 14 (/usr/bin/llvm-objdump)
#                                 for v1..v3, llvm 19 for v4 (llvm 14 cannot decode v4)
#   conformance_main.o            the --elf input of tests/test_conformance.py
# Run from anywhere; needs clang-19, llvm-objdump (14) and llvm-19's llvm-objdump.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
OBJDUMP14=${OBJDUMP14:-/usr/bin/llvm-objdump}
OBJDUMP19=${OBJDUMP19:-/usr/lib/llvm-19/bin/llvm-objdump}
CFLAGS="-O2 -target bpf -Wall -Werror -Wno-main -ffreestanding"

for prog in alu mem packet; do
    for cpu in v1 v2 v3 v4; do
        obj="$prog.$cpu.o"
        "$CLANG" $CFLAGS -mcpu=$cpu -c "$prog.c" -o "$obj"
        if [ "$cpu" = v4 ]; then objdump=$OBJDUMP19; else objdump=$OBJDUMP14; fi
        # The first line names the file; drop it so the text does not depend on the path.
        "$objdump" -d "$obj" | tail -n +3 > "$prog.$cpu.objdump"
    done
done
"$CLANG" $CFLAGS -mcpu=v3 -c conformance_main.c -o conformance_main.o
