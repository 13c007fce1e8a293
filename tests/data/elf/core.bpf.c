/* CO-RE relocations: against a UAPI context type (resolves) and a kernel type (does not). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

SEC("socket")
int core_ctx(struct __sk_buff *skb)
{
	return __builtin_preserve_access_index(skb->len);
}

SEC("kprobe/do_exit")
int core_kernel(struct task_struct *t)
{
	return BPF_CORE_READ(t, pid);
}

char LICENSE[] SEC("license") = "GPL";
