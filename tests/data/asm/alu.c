/* Arithmetic in both widths: every ALU operation, shifts, byte swaps, conversions. */
#include "bpf_mini.h"

struct args { u64 a, b; s64 sa, sb; u32 x, y; s32 sx, sy; s8 c; s16 h; };

static __attribute__((noinline)) u64 mix64(u64 a, u64 b, s64 sa, s64 sb)
{
    u64 r = a + b;
    r ^= a * 0x9e3779b97f4a7c15ULL;
    r -= b >> 7;
    r |= a << 13;
    r &= ~(b << 3);
    if (b)
        r += a / b + a % b;
#if __BPF_CPU_VERSION__ >= 4
    if (sb)
        r += (u64)(sa / sb) + (u64)(sa % sb);
#endif
    r += (u64)(sa >> 5);
    r += (u64)(-sa);
    return r;
}

static __attribute__((noinline)) u32 mix32(u32 x, u32 y, s32 sx, s32 sy)
{
    u32 r = x + y;
    r ^= x * 2654435761u;
    r -= y >> 3;
    r |= x << 9;
    r &= ~y;
    if (y)
        r += x / y + x % y;
#if __BPF_CPU_VERSION__ >= 4
    if (sy)
        r += (u32)(sx / sy) + (u32)(sx % sy);
#endif
    r += (u32)(sx >> 2);
    r += (u32)(-sx);
    return r;
}

SEC("socket")
u64 alu(struct args *p)
{
    u64 r = mix64(p->a, p->b, p->sa, p->sb);
    r += mix32(p->x, p->y, p->sx, p->sy);
    r += __builtin_bswap16((u16)p->x);
    r += __builtin_bswap32(p->y);
    r += __builtin_bswap64(p->a);
    r += (s64)p->c + (s64)p->h + (s64)p->sx;
    r += (u64)(s64)(s32)p->a;
    if (p->sa < 0 && p->sb > -100)
        r += 1;
    if ((s32)p->x < p->sy || p->sx >= 7)
        r += 2;
    if (p->a <= p->b || p->x > 1000)
        r += 3;
    if (p->a != 0x123456789abcdefULL)
        r += 4;
    return r;
}

char _license[] SEC("license") = "GPL";
