/* Packet parsing with bounds checks, loops, and the legacy LD_ABS/LD_IND loads. */
#include "bpf_mini.h"

SEC("xdp")
int parse(struct xdp_md *ctx)
{
    u8 *data = (u8 *)(long)ctx->data;
    u8 *end = (u8 *)(long)ctx->data_end;
    u32 sum = 0;
    if (data + 34 > end)
        return 1;
    if (data[12] != 0x08 || data[13] != 0x00)
        return 2;
    u8 ihl = data[14] & 0x0f;
    if (ihl < 5)
        return 1;
    for (int i = 0; i < 20; i += 2)
        sum += ((u32)data[14 + i] << 8) | data[15 + i];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff ? 2 : 1;
}

SEC("socket")
int legacy(void *skb)
{
    u64 proto = load_half(skb, 12);
    if (proto != 0x0800)
        return 0;
    u64 ihl = (load_byte(skb, 14) & 0x0f) << 2;
    return (int)load_word(skb, 14 + ihl);
}

char _license[] SEC("license") = "GPL";
