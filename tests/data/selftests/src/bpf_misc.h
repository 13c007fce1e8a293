/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pyebpf's stand-in for the kernel selftests' progs/bpf_misc.h, written for
 * tests/test_selftests.py.  The ported verifier_*.c files include it unchanged.
 *
 * Every test annotation becomes a BTF decl tag on the program's FUNC, named
 * "pyebpf_test:KEY=VALUE"; the harness reads them back from the object's BTF.
 * Messages carry __COUNTER__ ("pyebpf_test:msg=N=text") because clang does not
 * keep the order of a declaration's attributes, and the order of __msg matters
 * (each must be found after the previous one in the verifier log).
 */
#ifndef PYEBPF_SELFTEST_MISC_H
#define PYEBPF_SELFTEST_MISC_H

#define PYEBPF_STR_(s) #s
#define PYEBPF_STR(s) PYEBPF_STR_(s)
#define PYEBPF_TAG(kv) __attribute__((btf_decl_tag("pyebpf_test:" kv)))
#define PYEBPF_SEQ_TAG(key, text) PYEBPF_TAG(key "=" PYEBPF_STR(__COUNTER__) "=" text)

/* verdict and log expectations, privileged and unprivileged loads */
#define __success		PYEBPF_TAG("success")
#define __failure		PYEBPF_TAG("failure")
#define __msg(text)		PYEBPF_SEQ_TAG("msg", text)
#define __success_unpriv	PYEBPF_TAG("success_unpriv")
#define __failure_unpriv	PYEBPF_TAG("failure_unpriv")
#define __msg_unpriv(text)	PYEBPF_SEQ_TAG("msg_unpriv", text)
/* expected BPF_PROG_TEST_RUN return value (number, INT_MIN, POINTER_VALUE, TEST_DATA_LEN) */
#define __retval(val)		PYEBPF_TAG("retval=" #val)
#define __retval_unpriv(val)	PYEBPF_TAG("retval_unpriv=" #val)
#define __description(text)	PYEBPF_TAG("description=" text)
#define __log_level(lvl)	PYEBPF_TAG("log_level=" #lvl)
#define __flag(flag)		PYEBPF_TAG("flag=" #flag)
/* a program other tests need loaded (tail call targets); not a test of its own */
#define __auxiliary		PYEBPF_TAG("auxiliary")
#define __auxiliary_unpriv	PYEBPF_TAG("auxiliary_unpriv")
/* expectations on the rewritten or JITed program and on the host: recorded, not compared */
#define __xlated(text)		PYEBPF_SEQ_TAG("xlated", text)
#define __xlated_unpriv(text)	PYEBPF_SEQ_TAG("xlated_unpriv", text)
#define __jited(text)		PYEBPF_SEQ_TAG("jited", text)
#define __jited_unpriv(text)	PYEBPF_SEQ_TAG("jited_unpriv", text)
#define __arch(name)		PYEBPF_TAG("arch=" name)
#define __arch_x86_64		__arch("X86_64")
#define __arch_arm64		__arch("ARM64")
#define __arch_riscv64		__arch("RISCV64")
#define __btf_path(path)	PYEBPF_TAG("btf_path=" path)

/* inline assembly conveniences */
#define __naked __attribute__((naked))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define __clobber_common "r0", "r1", "r2", "r3", "r4", "r5", "memory"
#define __imm(name) [name]"i"(name)
#define __imm_const(name, expr) [name]"i"(expr)
#define __imm_addr(name) [name]"i"(&name)
#define __imm_ptr(name) [name]"r"(&name)
#define __imm_insn(name, expr) [name]"i"(*(long *)&(expr))

/* the values __retval may name */
#define POINTER_VALUE	0xcafe4all
#define TEST_DATA_LEN	64

#ifndef __used
#define __used __attribute__((used))
#endif

/* x86-64 is the only architecture these objects are built for (build.sh) */
#define SYSCALL_WRAPPER 1
#define SYS_PREFIX "__x64_"
#define FUNC_REG_ARG_CNT 6

#define __sink(expr) asm volatile("" : "+g"(expr))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#endif
