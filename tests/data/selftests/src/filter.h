/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pyebpf's stand-in for the few tools/include/linux/filter.h instruction macros the
 * ported verifier_*.c files use (with __imm_insn, for instructions clang cannot write
 * in inline assembly).  Each is one struct bpf_insn initializer.
 */
#ifndef PYEBPF_SELFTEST_FILTER_H
#define PYEBPF_SELFTEST_FILTER_H

#include <linux/bpf.h>

#define BPF_REG_FP	BPF_REG_10

#define BPF_RAW_INSN(CODE, DST, SRC, OFF, IMM) \
	((struct bpf_insn) { .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), \
			     .off = (OFF), .imm = (IMM) })
#define BPF_MOV64_REG(DST, SRC)		BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, DST, SRC, 0, 0)
#define BPF_MOVSX64_REG(DST, SRC, OFF)	BPF_RAW_INSN(BPF_ALU64 | BPF_MOV | BPF_X, DST, SRC, OFF, 0)
#define BPF_LD_ABS(SIZE, IMM)		BPF_RAW_INSN(BPF_LD | BPF_SIZE(SIZE) | BPF_ABS, 0, 0, 0, IMM)
#define BPF_LD_IND(SIZE, SRC, IMM)	BPF_RAW_INSN(BPF_LD | BPF_SIZE(SIZE) | BPF_IND, 0, SRC, 0, IMM)
#define BPF_LDX_MEM(SIZE, DST, SRC, OFF) \
	BPF_RAW_INSN(BPF_LDX | BPF_SIZE(SIZE) | BPF_MEM, DST, SRC, OFF, 0)
#define BPF_ST_MEM(SIZE, DST, OFF, IMM)	BPF_RAW_INSN(BPF_ST | BPF_SIZE(SIZE) | BPF_MEM, DST, 0, OFF, IMM)
#define BPF_JMP_IMM(OP, DST, IMM, OFF)	BPF_RAW_INSN(BPF_JMP | BPF_OP(OP) | BPF_K, DST, 0, OFF, IMM)

#endif
