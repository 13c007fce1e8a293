"""A small Python "service" for the tracing examples (pyebpf trace ... -- python py_app.py N).

``handle(n)`` does work whose latency grows with ``n``; every request also fires the
application tracepoint ``app:request(user_id, size)``.
"""

import sys

import pyebpf

REQUEST = pyebpf.tracepoint("app:request", "user_id", "size")


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def handle(n: int) -> int:
    return sum(fib(i) for i in range(n))


def main(count: int) -> None:
    total = 0
    for i in range(count):
        user, size = i % 3, 100 + i
        if REQUEST.enabled:
            REQUEST(user, size)
        total += handle(i % 12)
    print(f"handled {count} requests, checksum {total}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
