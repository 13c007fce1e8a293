/* Test object for tests/test_elf.py: one of each thing the ELF loader reads.
 * Rebuild with ./build.sh (clang-19). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} inner1 SEC(".maps"), inner2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { [0] = &inner1, [1] = &inner2 } };

struct counter_key {
	__u32 addr;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct counter_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
} sized SEC(".maps");

int tail_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jmp SEC(".maps") = { .values = { [1] = (void *)&tail_target } };

const volatile __u32 cfg_port = 80;
const volatile char cfg_name[8] = "pyebpf";
__u64 hits = 0;
__u32 datav = 7;

static __noinline int triple_plus_hits(int x)
{
	return x * 3 + (int)hits;
}

static __noinline int add_one(int x)
{
	return triple_plus_hits(x) + 1;
}

static int count_cb(__u32 idx, void *ctx)
{
	hits += idx;
	return 0;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	struct counter_key k = { .addr = 1, .port = 2, .proto = 3 };
	__u64 one = 1, *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		*v += 1;
	else
		bpf_map_update_elem(&counts, &k, &one, BPF_ANY);
	bpf_loop(4, count_cb, 0, 0);
	bpf_tail_call(ctx, &jmp, 0);
	return add_one(datav) + cfg_port == 102 ? XDP_PASS : XDP_ABORTED;
}

SEC("socket")
int sock(struct __sk_buff *skb)
{
	return skb->len > 100 ? 100 : skb->len;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	return add_one(skb->protocol == bpf_htons(0x0800)) > 1 ? 0 : 2;
}

SEC("classifier/ingress")
int cls_prog(struct __sk_buff *skb)
{
	return 0;
}

SEC("kprobe/do_unlinkat")
int kp(void *ctx)
{
	bpf_printk("unlink %s", cfg_name);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp(void *ctx)
{
	char buf[8];

	/* a string literal passed by pointer lands in .rodata.str1.1 */
	return bpf_probe_read_kernel_str(buf, sizeof(buf), "literal");
}

SEC("raw_tp/sched_switch")
int rawtp(void *ctx)
{
	return 0;
}

SEC("syscall")
int sys(void *ctx)
{
	return triple_plus_hits(2);
}

char LICENSE[] SEC("license") = "GPL";
