"""Build the compiled interpreter; everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("pyebpf._core", ["pyebpf/_core.pyx"], extra_compile_args=["-O3"]),
         Extension("pyebpf._maps", ["pyebpf/_maps.pyx"], extra_compile_args=["-O3"])],
        compiler_directives={"language_level": 3},
    ),
)
