/* Reads a tracepoint record's common header: the kernel refuses it (off < 8). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rec {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__u64 arg;
};

SEC("tp/app/request")
int reads_header(struct rec *ctx)
{
	return ctx->common_pid;
}

char LICENSE[] SEC("license") = "GPL";
