// Callback helpers followed by packet access (issue 9): the packet must stay readable
// after bpf_loop / bpf_for_each_map_elem ran a callback.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct c { int i; int h; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static long step(__u32 idx, void *ctx)
{
	struct c *c = ctx;

	c->h += c->i * (idx + 1);
	return 0;
}

/* The example, as written there. */
SEC("xdp")
int loop_then_packet(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	struct c c = {4, 7};
	long n = bpf_loop(4, step, &c, 0);

	if (data + 14 > data_end)
		return 100;
	return data[12] + n + (c.h & 0xff) * 256;
}

/* Packet pointers re-derived from ctx after the loop, and written through. */
SEC("xdp")
int loop_then_packet_write(struct xdp_md *ctx)
{
	struct c c = {3, 1};
	long n = bpf_loop(5, step, &c, 0);
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;

	if (data + 14 > data_end)
		return 100;
	data[0] = (unsigned char)c.h;
	return data[0] + data[13] + n;
}

static long sum_elem(void *map, __u32 *key, __u64 *val, void *ctx)
{
	struct c *c = ctx;

	c->h += *val + *key;
	return 0;
}

/* bpf_for_each_map_elem, then the packet. */
SEC("xdp")
int for_each_then_packet(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	struct c c = {0, 2};
	long n = bpf_for_each_map_elem(&vals, sum_elem, &c, 0);

	if (data + 14 > data_end)
		return 100;
	return data[12] + n + (c.h & 0xff) * 256;
}

static long read_pkt(__u32 idx, void *ctx)
{
	struct c *c = ctx;

	c->h ^= idx;
	return 0;
}

/* A tc program: bpf_loop, then the packet through __sk_buff. */
SEC("tc")
int tc_loop_then_packet(struct __sk_buff *skb)
{
	unsigned char *data = (void *)(long)skb->data;
	unsigned char *data_end = (void *)(long)skb->data_end;
	struct c c = {0, 9};
	long n = bpf_loop(6, read_pkt, &c, 0);

	if (data + 14 > data_end)
		return 100;
	return data[12] + n + (c.h & 0xff) * 256;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} counts SEC(".maps");

static long bump(void *map, __u32 *key, __u32 *val, void *ctx)
{
	struct c *c = ctx;

	*val += 1;
	c->h += *key * 16 + *val;
	return 0;
}

static long inner_step(__u32 idx, void *ctx)
{
	struct c *c = ctx;

	c->i += 1;
	return 0;
}

static long outer_step(__u32 idx, void *ctx)
{
	struct c *c = ctx;

	c->h += bpf_loop(3, inner_step, c, 0);
	return idx == 2;  /* stops after the third iteration */
}

/* A hash map's values written from the callback, then a nested bpf_loop, then the packet. */
SEC("xdp")
int hash_nested_then_packet(struct xdp_md *ctx)
{
	struct c c = {0, 0};
	long n = bpf_for_each_map_elem(&counts, bump, &c, 0);
	long m = bpf_loop(10, outer_step, &c, 0);
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;

	if (data + 14 > data_end)
		return 100;
	return data[13] + n * 4 + m * 64 + ((c.h + c.i) & 0xff) * 256;
}
