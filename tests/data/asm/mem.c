/* Memory: every access size, the stack, maps (relocated lddw), helper and local calls,
 * atomics (fetch forms, xchg and cmpxchg from v3). */
#include "bpf_mini.h"

struct rec { u8 b; u16 h; u32 w; u64 d; s8 sb; s16 sh; s32 sw; };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, u32);
    __type(value, struct rec);
} recs SEC(".maps");

u64 counter SEC(".data");

static __attribute__((noinline)) u64 fold(struct rec *r, u64 seed)
{
    return seed + r->b + r->h + r->w + r->d + r->sb + r->sh + r->sw;
}

SEC("xdp")
int mem(struct xdp_md *ctx)
{
    u32 key = ctx->rx_queue_index & 3;
    struct rec local = {};
    struct rec *r = bpf_map_lookup_elem(&recs, &key);
    if (!r)
        return 0;
    local.b = r->b + 1;
    local.h = r->h + 2;
    local.w = r->w + 3;
    local.d = r->d + bpf_ktime_get_ns();
    local.sb = r->sb;
    local.sh = r->sh;
    local.sw = r->sw;
    bpf_map_update_elem(&recs, &key, &local, 0);
    __sync_fetch_and_add(&r->d, 1);
    __sync_fetch_and_add(&r->w, 5);
#if __BPF_CPU_VERSION__ >= 3
    u64 old = __sync_fetch_and_or(&r->d, 2);
    old += __sync_fetch_and_and(&r->d, ~4ULL);
    old += __sync_fetch_and_xor(&counter, old);
    old += __sync_lock_test_and_set(&r->d, old);
    old += __sync_val_compare_and_swap(&r->d, old, 7);
    old += __sync_val_compare_and_swap(&r->w, 1, 2);
    r->sw = (s32)old;
#else
    __sync_fetch_and_add(&counter, r->d);
#endif
    return (int)fold(&local, counter) & 3;
}

char _license[] SEC("license") = "GPL";
