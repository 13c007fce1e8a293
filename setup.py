"""Build the compiled modules; everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

VERIFIER_COMPILED = ("tnum", "scalar", "liveness", "check", "precision")

setup(
    ext_modules=cythonize(
        # -fno-crossjumping: GCC would merge the handlers' common tails and add a jump
        # to every interpreted instruction (fib: 3.3 -> 2.0 ns/insn without the merge)
        [Extension("pyebpf._core", ["pyebpf/_core.pyx"],
                   extra_compile_args=["-O3", "-fno-crossjumping"]),
         Extension("pyebpf._maps", ["pyebpf/_maps.pyx"], extra_compile_args=["-O3"]),
         # the x86-64 JIT (it compiles everywhere; it only runs programs on x86-64)
         Extension("pyebpf._jit", ["pyebpf/_jit.pyx"], extra_compile_args=["-O2"]),
         # the verifier's hot modules: plain Python, compiled in Cython's pure Python mode
         # (the .py files stay the source and run uncompiled where no compiler is found)
         *(Extension(f"pyebpf.verifier.{m}", [f"pyebpf/verifier/{m}.py"],
                     extra_compile_args=["-O2"]) for m in VERIFIER_COMPILED)],
        compiler_directives={"language_level": 3},
    ),
)
