/* cgroup socket programs (written for pyebpf in the style of cilium's bpf_sock.c
 * socket-LB, Linux samples' tcp_*_kern.c and selftests' connect4/sendmsg4/getpeername
 * programs): sock_ops callbacks, connect/sendmsg/recvmsg rewrites for a service VIP,
 * getpeername restore, post_bind port policy, sock_create marks, device and sysctl
 * filters, getsockopt/setsockopt hooks. */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define SOL_SOCKET 1
#define SO_MARK 36
#define SOL_TCP 6
#define TCP_CONGESTION 13
#define SOL_IP 0
#define IP_TOS 1

struct svc_key {
	__u32 vip;
	__u16 port;
	__u16 proto;
};

struct svc_backend {
	__u32 addr;
	__u16 port;
	__u16 weight;
};

struct rev_key {
	__u64 cookie;
};

struct rev_val {
	__u32 vip;
	__u16 port;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct svc_key);
	__type(value, struct svc_backend);
} lb4_svc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rev_key);
	__type(value, struct rev_val);
} lb4_reverse SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} sock_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u8);
} allowed_ports SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sock_stats, &idx);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("sockops")
int sockops_tcp_tuning(struct bpf_sock_ops *skops)
{
	int op = skops->op;
	int rv = -1;
	char cc[] = "cubic";

	if (skops->family != AF_INET && skops->family != AF_INET6) {
		skops->reply = -1;
		return 1;
	}
	switch (op) {
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		rv = skops->remote_ip4 == skops->local_ip4 ? 10 : -1;
		break;
	case BPF_SOCK_OPS_RWND_INIT:
		rv = 40;
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		rv = bpf_setsockopt(skops, SOL_TCP, TCP_CONGESTION, cc, sizeof(cc));
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		rv = bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG |
					       BPF_SOCK_OPS_STATE_CB_FLAG);
		count(op & 15);
		break;
	case BPF_SOCK_OPS_RTT_CB:
		if (skops->srtt_us > 100000)
			count(15);
		rv = 0;
		break;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] == 7 /* BPF_TCP_CLOSE */)
			count(14);
		rv = 0;
		break;
	default:
		rv = -1;
	}
	skops->reply = rv;
	return 1;
}

SEC("sockops")
int sockops_hdr_opt(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk;
	__u8 opt[4] = { 0xfd, 4, 0xeb, 0x9f };

	switch (skops->op) {
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		bpf_reserve_hdr_opt(skops, sizeof(opt), 0);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		bpf_store_hdr_opt(skops, opt, sizeof(opt), 0);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB: {
		void *data = (void *)(long)skops->skb_data;
		void *data_end = (void *)(long)skops->skb_data_end;
		if (data + 20 <= data_end && (((__u8 *)data)[13] & 0x02))
			count(13);
		break;
	}
	default:
		break;
	}
	sk = skops->sk;
	if (sk && sk->state == 1 /* TCP_ESTABLISHED */)
		count(12);
	return 1;
}

static __always_inline int do_connect4(struct bpf_sock_addr *ctx)
{
	struct svc_key key = { .vip = ctx->user_ip4, .port = ctx->user_port,
			       .proto = ctx->protocol };
	struct svc_backend *be = bpf_map_lookup_elem(&lb4_svc, &key);
	if (!be)
		return 1;
	struct rev_key rk = { .cookie = bpf_get_socket_cookie(ctx) };
	struct rev_val rv = { .vip = key.vip, .port = key.port };
	bpf_map_update_elem(&lb4_reverse, &rk, &rv, BPF_ANY);
	ctx->user_ip4 = be->addr;
	ctx->user_port = be->port;
	return 1;
}

SEC("cgroup/connect4")
int sock4_connect(struct bpf_sock_addr *ctx)
{
	if (ctx->type != 1 /* SOCK_STREAM */ && ctx->type != 2)
		return 1;
	return do_connect4(ctx);
}

SEC("cgroup/sendmsg4")
int sock4_sendmsg(struct bpf_sock_addr *ctx)
{
	if (ctx->type != 2)
		return 1;
	if (ctx->msg_src_ip4 == bpf_htonl(0x7f000001))
		ctx->msg_src_ip4 = bpf_htonl(0x7f000002);
	return do_connect4(ctx);
}

SEC("cgroup/recvmsg4")
int sock4_recvmsg(struct bpf_sock_addr *ctx)
{
	struct rev_key rk = { .cookie = bpf_get_socket_cookie(ctx) };
	struct rev_val *rv = bpf_map_lookup_elem(&lb4_reverse, &rk);
	if (rv) {
		ctx->user_ip4 = rv->vip;
		ctx->user_port = rv->port;
	}
	return 1;
}

SEC("cgroup/getpeername4")
int sock4_getpeername(struct bpf_sock_addr *ctx)
{
	struct rev_key rk = { .cookie = bpf_get_socket_cookie(ctx) };
	struct rev_val *rv = bpf_map_lookup_elem(&lb4_reverse, &rk);
	if (rv) {
		ctx->user_ip4 = rv->vip;
		ctx->user_port = rv->port;
	}
	return 1;
}

SEC("cgroup/connect6")
int sock6_connect(struct bpf_sock_addr *ctx)
{
	/* v4-mapped addresses (::ffff:a.b.c.d) go through the v4 service table */
	if (ctx->user_ip6[0] != 0 || ctx->user_ip6[1] != 0 ||
	    ctx->user_ip6[2] != bpf_htonl(0xffff))
		return 1;
	struct svc_key key = { .vip = ctx->user_ip6[3], .port = ctx->user_port,
			       .proto = ctx->protocol };
	struct svc_backend *be = bpf_map_lookup_elem(&lb4_svc, &key);
	if (!be)
		return 1;
	ctx->user_ip6[3] = be->addr;
	ctx->user_port = be->port;
	return 1;
}

SEC("cgroup/sendmsg6")
int sock6_sendmsg(struct bpf_sock_addr *ctx)
{
	if (ctx->user_ip6[0] == bpf_htonl(0xfe800000))
		return 0;
	ctx->msg_src_ip6[3] = bpf_htonl(1);
	return 1;
}

SEC("cgroup/recvmsg6")
int sock6_recvmsg(struct bpf_sock_addr *ctx)
{
	if (ctx->user_port == bpf_htons(53))
		count(11);
	return 1;
}

SEC("cgroup/bind4")
int sock4_bind(struct bpf_sock_addr *ctx)
{
	__u16 port = bpf_ntohs(ctx->user_port);
	if (port && port < 1024) {
		__u8 *ok = bpf_map_lookup_elem(&allowed_ports, &port);
		if (!ok)
			return 0;
		return 3;  /* allow, and skip the CAP_NET_BIND_SERVICE check */
	}
	return 1;
}

SEC("cgroup/post_bind4")
int sock4_post_bind(struct bpf_sock *sk)
{
	__u16 port = sk->src_port;
	if (sk->src_ip4 == bpf_htonl(0x7f000001))
		return 1;
	__u8 *ok = bpf_map_lookup_elem(&allowed_ports, &port);
	return ok ? 1 : 0;
}

SEC("cgroup/post_bind6")
int sock6_post_bind(struct bpf_sock *sk)
{
	if (sk->src_ip6[0] == bpf_htonl(0xfe800000))
		return 0;
	return sk->src_port != 23;
}

SEC("cgroup/sock_create")
int sock_create_mark(struct bpf_sock *sk)
{
	if (sk->family == AF_INET6 && sk->type == 3 /* SOCK_RAW */)
		return 0;
	sk->mark = 0x42;
	sk->priority = (__u32)(bpf_get_current_uid_gid() & 7);
	return 1;
}

SEC("cgroup/sock_release")
int sock_release_count(struct bpf_sock *sk)
{
	count(sk->family == AF_INET ? 9 : 10);
	return 1;
}

SEC("cgroup/dev")
int dev_filter(struct bpf_cgroup_dev_ctx *ctx)
{
	short type = ctx->access_type & 0xFFFF;
	short access = ctx->access_type >> 16;

	if (type != BPF_DEVCG_DEV_CHAR)
		return 0;
	if (ctx->major == 1 && (ctx->minor == 3 || ctx->minor == 5 || ctx->minor == 9))
		return 1;
	if (ctx->major == 5 && ctx->minor == 0 && !(access & BPF_DEVCG_ACC_MKNOD))
		return 1;
	return 0;
}

SEC("cgroup/sysctl")
int sysctl_guard(struct bpf_sysctl *ctx)
{
	char name[64];
	char val[16];
	long n;

	n = bpf_sysctl_get_name(ctx, name, sizeof(name), 0);
	if (n < 0 || n > (long)sizeof(name))
		return 0;
	if (!ctx->write)
		return 1;
	if (name[0] == 'n' && name[1] == 'e' && name[2] == 't') {
		n = bpf_sysctl_get_new_value(ctx, val, sizeof(val));
		if (n < 0)
			return 0;
		unsigned long v;
		if (bpf_strtoul(val, sizeof(val), 10, &v) < 0)
			return 0;
		return v < 4096;
	}
	return 1;
}

SEC("cgroup/getsockopt")
int getsockopt_hook(struct bpf_sockopt *ctx)
{
	__u8 *optval = ctx->optval;
	__u8 *optval_end = ctx->optval_end;

	if (ctx->level == SOL_IP && ctx->optname == IP_TOS) {
		if (optval + 1 > optval_end)
			return 0;
		optval[0] = 0x80;
		ctx->optlen = 1;
		ctx->retval = 0;
		return 1;
	}
	return 1;
}

SEC("cgroup/setsockopt")
int setsockopt_hook(struct bpf_sockopt *ctx)
{
	__u8 *optval = ctx->optval;
	__u8 *optval_end = ctx->optval_end;

	if (ctx->level == SOL_SOCKET && ctx->optname == SO_MARK) {
		if (optval + 4 > optval_end)
			return 0;
		if (*(__u32 *)optval == 0)
			*(__u32 *)optval = 0x1;
		return 1;
	}
	if (ctx->level == SOL_TCP && ctx->optname == TCP_CONGESTION)
		ctx->optlen = -1;  /* leave it to the kernel */
	return 1;
}

char _license[] SEC("license") = "GPL";
