/* iproute2 style (written for pyebpf after iproute2's examples/bpf/bpf_cyclic.c,
 * bpf_tailcall.c and bpf_graft.c): struct bpf_elf_map in section "maps" with ids and
 * pinning, __section_tail(ID, KEY) tail-call sections, a map-in-map by inner_id, and
 * section names tc chooses ("classifier", "ingress", "egress"). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#define __section(NAME) __attribute__((section(NAME), used))
#define __section_tail(ID, KEY) __section(__stringify(ID) "/" __stringify(KEY))
#define __stringify(X) #X
#define PIN_NONE 0
#define PIN_OBJECT_NS 1
#define PIN_GLOBAL_NS 2
#define BPF_FUNC(NAME, ...) (*NAME)(__VA_ARGS__) = (void *)BPF_FUNC_##NAME

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

static void *BPF_FUNC(map_lookup_elem, void *map, const void *key);
static int BPF_FUNC(map_update_elem, void *map, const void *key, const void *value,
		    unsigned long long flags);
static void BPF_FUNC(tail_call, struct __sk_buff *skb, void *map, __u32 index);
static int BPF_FUNC(skb_load_bytes, const struct __sk_buff *skb, __u32 off, void *to,
		    __u32 len);
static long BPF_FUNC(trace_printk, const char *fmt, __u32 fmt_size, ...);

#define FOO 42
#define BAR 43
#define MAX_JMP_SIZE 2

struct bpf_elf_map __section("maps") jmp_tc = {
	.type = BPF_MAP_TYPE_PROG_ARRAY,
	.id = FOO,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.pinning = PIN_OBJECT_NS,
	.max_elem = MAX_JMP_SIZE,
};

struct bpf_elf_map __section("maps") jmp_ex = {
	.type = BPF_MAP_TYPE_PROG_ARRAY,
	.id = BAR,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.pinning = PIN_GLOBAL_NS,
	.max_elem = 1,
};

struct bpf_elf_map __section("maps") map_sh = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.pinning = PIN_GLOBAL_NS,
	.max_elem = 1,
};

struct bpf_elf_map __section("maps") map_inner = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.id = 1,
	.inner_id = 2,
	.inner_idx = 0,
	.pinning = PIN_NONE,
	.max_elem = 1,
};

struct bpf_elf_map __section("maps") map_outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.id = 2,
	.pinning = PIN_NONE,
	.max_elem = 1,
};

__section_tail(FOO, 0)
int cls_case1(struct __sk_buff *skb)
{
	char fmt[] = "case1: map-val: %d from:%u\n";
	int key = 0, *val;

	val = map_lookup_elem(&map_sh, &key);
	if (val)
		trace_printk(fmt, sizeof(fmt), *val, skb->cb[0]);
	skb->cb[0] = 0;
	tail_call(skb, &jmp_tc, 1);
	return TC_ACT_OK;
}

__section_tail(FOO, 1)
int cls_case2(struct __sk_buff *skb)
{
	int key = 0, *val;

	val = map_lookup_elem(&map_sh, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	tail_call(skb, &jmp_ex, 0);
	return TC_ACT_SHOT;
}

__section_tail(BAR, 0)
int cls_exit(struct __sk_buff *skb)
{
	__u8 ttl;
	if (skb_load_bytes(skb, ETH_HLEN + 8, &ttl, 1) < 0)
		return TC_ACT_OK;
	return ttl < 2 ? TC_ACT_SHOT : TC_ACT_OK;
}

__section("classifier")
int cls_entry(struct __sk_buff *skb)
{
	int key = 0, *val;

	val = map_lookup_elem(&map_sh, &key);
	if (val)
		map_update_elem(&map_sh, &key, val, 0);
	skb->cb[0] = 1;
	tail_call(skb, &jmp_tc, skb->hash & (MAX_JMP_SIZE - 1));
	return TC_ACT_OK;
}

__section("ingress")
int imain(struct __sk_buff *skb)
{
	int key = 0, *val;
	void *inner = map_lookup_elem(&map_outer, &key);
	if (!inner)
		return TC_ACT_OK;
	val = map_lookup_elem(inner, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	return TC_ACT_OK;
}

__section("egress")
int emain(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol == 17)
		skb->tc_classid = 0x10010;
	skb->mark = ip->tos;
	return TC_ACT_OK;
}

char __license[] __section("license") = "GPL";
