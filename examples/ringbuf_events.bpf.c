/* Report every TCP connection attempt (SYN without ACK) as a ring buffer event. */
#include "common.h"

struct syn_event {
	__u32 saddr;		/* network order; 0 for IPv6 */
	__u16 sport;
	__u16 dport;
	__u16 eth_proto;
	__u16 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

__u64 dropped_events = 0;

SEC("xdp")
int report_syns(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow f = {};
	struct syn_event *e;

	if (!parse_flow(data, data_end, &f) || f.ip_proto != IPPROTO_TCP)
		return XDP_PASS;
	if ((f.tcp_flags & 0x12) != 0x02)	/* SYN set, ACK clear */
		return XDP_PASS;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		dropped_events++;
		return XDP_PASS;
	}
	e->saddr = f.saddr;
	e->sport = f.sport;
	e->dport = f.dport;
	e->eth_proto = f.eth_proto;
	e->len = data_end - data;
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
