"""Python functions the tests attach uprobes to (tests/data/events/probes.bpf.c)."""


def add(a: int, b: int = 10) -> int:
    return a + b


def greet(name: str, n: int) -> str:
    return f"hello {name} #{n}"


class Greeter:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def greet(self, name: str) -> str:
        return super().__str__()[:0] + self.prefix + name


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def leaf() -> int:
    return 1


def middle() -> int:
    return leaf()


def outer() -> int:
    return middle()


def signal_me(sig: int) -> int:
    return sig
