# Hand-written BPF assembly in the old style (written for pyebpf): code sections with no
# function symbols at all (a label that is no STT_FUNC, or none), as objects built with
# early clang or assembled by hand carry them.  Loaded whole, one program per section.
	.section "socket", "ax"
	r0 = *(u32 *)(r1 + 0)
	if r0 > 1500 goto drop
	exit
drop:
	r0 = 0
	exit

	.section "xdp_pass", "ax"
	.globl xdp_pass_label
xdp_pass_label:
	r2 = *(u32 *)(r1 + 4)
	r1 = *(u32 *)(r1 + 0)
	r3 = r1
	r3 += 14
	r0 = 2
	if r3 > r2 goto out
	r0 = *(u8 *)(r1 + 12)
	r0 &= 1
	r0 += 1
out:
	exit

	.section "license", "aw"
	.asciz "GPL"
