/* Linux samples/bpf style (written for pyebpf after sockex1_kern.c, tracex2_kern.c,
 * xdp1_kern.c, tcp_bufs_kern.c, sock_flags_kern.c, test_map_in_map_kern.c): bpf_load's
 * struct bpf_load_map_def in SEC("maps") (with inner_map_idx and numa_node), bare
 * section prefixes ("socket1", "xdp1", "sockops_bufs", "cgroup/sock1"), LD_ABS loads. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct bpf_load_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_load_map_def SEC("maps") my_map = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(long),
	.max_entries = 256,
};

struct bpf_load_map_def SEC("maps") rxcnt = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(long),
	.max_entries = 256,
};

struct bpf_load_map_def SEC("maps") hist_map = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(long),
	.max_entries = 1024,
	.map_flags = BPF_F_NUMA_NODE,
	.numa_node = 0,
};

struct bpf_load_map_def SEC("maps") port_a = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(int),
	.max_entries = 8,
};

struct bpf_load_map_def SEC("maps") a_of_port_a = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.inner_map_idx = 3, /* port_a */
	.max_entries = 4,
};

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket1")
int bpf_prog1(struct __sk_buff *skb)
{
	int index = load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol));
	long *value;

	if (skb->pkt_type != 4 /* PACKET_OUTGOING */)
		return 0;
	value = bpf_map_lookup_elem(&my_map, &index);
	if (value)
		__sync_fetch_and_add(value, skb->len);
	return 0;
}

SEC("socket2")
int bpf_prog2(struct __sk_buff *skb)
{
	__u64 proto = load_half(skb, 12);
	__u64 nhoff = ETH_HLEN;
	if (proto == ETH_P_IP) {
		__u64 verlen = load_byte(skb, nhoff);
		if ((verlen & 0xf) != 5)
			return 0;
		__u32 key = load_byte(skb, nhoff + offsetof(struct iphdr, protocol));
		long *v = bpf_map_lookup_elem(&my_map, &key);
		if (v)
			__sync_fetch_and_add(v, 1);
	}
	return -1;
}

static __always_inline int parse_ipv4(void *data, __u64 nh_off, void *data_end)
{
	struct iphdr *iph = data + nh_off;
	if ((void *)(iph + 1) > data_end)
		return 0;
	return iph->protocol;
}

SEC("xdp1")
int xdp_prog1(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	int rc = XDP_DROP;
	long *value;
	__u16 h_proto;
	__u64 nh_off;
	__u32 ipproto;

	nh_off = sizeof(*eth);
	if (data + nh_off > data_end)
		return rc;
	h_proto = eth->h_proto;
	if (h_proto == bpf_htons(ETH_P_IP))
		ipproto = parse_ipv4(data, nh_off, data_end);
	else
		ipproto = 0;
	value = bpf_map_lookup_elem(&rxcnt, &ipproto);
	if (value)
		*value += 1;
	return rc;
}

static unsigned int log2(unsigned int v)
{
	unsigned int r, shift;
	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static unsigned int log2l(unsigned long v)
{
	unsigned int hi = v >> 32;
	if (hi)
		return log2(hi) + 32;
	return log2(v);
}

SEC("kprobe/vfs_write")
int bpf_prog3(struct pt_regs *ctx)
{
	long write_size = ctx->rdx;
	long init_val = 1;
	long *value;
	__u64 key = log2l(write_size);

	value = bpf_map_lookup_elem(&hist_map, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
	else
		bpf_map_update_elem(&hist_map, &key, &init_val, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int trace_sys_connect(void *ctx)
{
	__u32 port_key = 0;
	void *inner = bpf_map_lookup_elem(&a_of_port_a, &port_key);
	if (!inner)
		return 0;
	int *v = bpf_map_lookup_elem(inner, &port_key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("sockops_bufs")
int bpf_bufs(struct bpf_sock_ops *skops)
{
	int bufsize = 150000;
	int rv = 0, op;

	if (bpf_ntohl(skops->remote_port) != 55601 && skops->local_port != 55601) {
		skops->reply = -1;
		return 0;
	}
	op = (int)skops->op;
	if (op == BPF_SOCK_OPS_TCP_CONNECT_CB || op == BPF_SOCK_OPS_TCP_LISTEN_CB) {
		rv = bpf_setsockopt(skops, 1 /* SOL_SOCKET */, 7 /* SO_SNDBUF */, &bufsize,
				    sizeof(bufsize));
		rv += bpf_setsockopt(skops, 1, 8 /* SO_RCVBUF */, &bufsize, sizeof(bufsize));
	} else if (op == BPF_SOCK_OPS_TIMEOUT_INIT) {
		rv = 10;
	}
	skops->reply = rv;
	return 1;
}

SEC("cgroup/sock1")
int bpf_sock_flags(struct bpf_sock *sk)
{
	__u32 mark = 123;
	if (sk->family != 10 /* AF_INET6 */)
		return 1;
	if (sk->type != 2 /* SOCK_DGRAM */ || sk->protocol != 58 /* IPPROTO_ICMPV6 */)
		return 1;
	sk->mark = mark;
	sk->priority = 5;
	return 1;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0xFFFFFFFE;
