/* A program for the CLI tests: trace_printk output and a .data counter, no packets. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 calls = 0;

SEC("raw_tp/sys_enter")
int hello(__u64 *ctx)
{
	calls++;
	bpf_printk("hello from pyebpf, call %llu, arg0 %llu", calls, ctx[0]);
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
