/* A program in the shape the bpf_conformance runner's --elf mode expects: function
 * "main" in section "xdp", r1 = memory, r2 = its length.  Returns the byte sum. */
#include "bpf_mini.h"

SEC("xdp")
u64 main(u8 *mem, u64 len)
{
    u64 sum = 0;
    for (u64 i = 0; i < len && i < 64; i++)
        sum += mem[i];
    return sum;
}
