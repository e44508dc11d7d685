"""Reading is linear time: seconds to read hostile one-line inputs of growing size.

For 1k/2k/4k/8k/16k sentences on ONE line (raw `Word1. Word2. ...` and corpus-style
`word1 . word2 . ...`) it times `newsum.read_document` (splitting, tokenizing, display text)
and `summarize(..., method="lead")`; for HTML it times `read_html` on a page whose one tag has
1k..16k attributes. Each row ends with the ratio of each size's time to the previous size's:
linear time doubles (ratio ~2), quadratic quadruples.

    python benchmarks/bench_linear.py [--max 16000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def row(
    name: str, sizes: list[int], make: Callable[[int], str], run: Callable[[str], object]
) -> None:
    times = []
    for n in sizes:
        text = make(n)
        times.append(seconds(lambda: run(text)))  # noqa: B023 (called at once)
    cells = "  ".join(f"{n // 1000}k {t:7.3f}s" for n, t in zip(sizes, times, strict=True))
    ratios = " ".join(f"{b / a:.1f}" for a, b in zip(times, times[1:], strict=False) if a > 0)
    print(f"{name:<34}{cells}   doubling ratios: {ratios}")


def raw_line(n: int) -> str:
    return " ".join(f"Word{i}." for i in range(n))


def tokenized_line(n: int) -> str:
    return " ".join(f"word{i} , said he ." for i in range(n))


def html_attrs(n: int) -> str:
    attrs = " ".join(f'a{i}="{i}"' for i in range(n))
    body = "<p>" + " ".join(["The storm hit the coast on Monday night and cut power."] * 5) + "</p>"
    head = "<!doctype html><html><head><title>Storm</title></head>"
    return f"{head}<body><div {attrs}>{body}</div></body></html>"


def main() -> None:
    import newsum

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=int, default=16000, help="largest size (sentences/attributes)")
    args = ap.parse_args()
    sizes = [n for n in (1000, 2000, 4000, 8000, 16000, 32000) if n <= args.max]
    print("seconds per input (one process); doubling ratio ~2 means linear time")
    row("read raw, one line", sizes, raw_line, lambda t: newsum.read_document(t, "text"))
    row("read tokenized, one line", sizes, tokenized_line, lambda t: newsum.read_document(t))
    row("summarize -m lead, raw line", sizes, raw_line, lambda t: newsum.summarize(t, "lead"))
    row("summarize (default), raw line", sizes, raw_line, lambda t: newsum.summarize(t))
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("read_html: trafilatura not installed, skipped")
        return
    from newsum.html import read_html

    row("read_html, attributes in one tag", sizes, html_attrs, read_html)


if __name__ == "__main__":
    main()
