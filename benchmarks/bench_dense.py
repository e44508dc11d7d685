"""Time and peak memory of the default method on hostile dense text: long sentences whose words
recur in nearly every sentence, so the sentence-similarity (Gram) matrices have many terms.

Two stories, written to a temporary folder: 500 sentences of 1,500 words drawn from 5,000
common words (5 MB), and one 2.3 MB paragraph of 400,000 words drawn from
`../shared/examples/dailymail_story.txt`. Each is summarized by `newsum summarize` in a fresh
process; the figures are that process's wall seconds and peak RSS. Then two hostile batches of
64 stories, summarized together by `newsum.summarize_many` (as `newsum batch` and the service's
batch route do) in a fresh process: 64 stories of 500 one-word sentences, and 63 validation
stories with one 50,000-word paragraph between two short sentences.

    python benchmarks/bench_dense.py        # PYTHONPATH=<tree> to measure another tree
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT.parent / "shared" / "examples" / "dailymail_story.txt"
RUN = """
import resource, sys, time
from newsum.cli import main
start = time.perf_counter()
code = main(["summarize", sys.argv[1]])
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code)
"""
RUN_MANY = """
import json, resource, sys, time
import newsum
texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
start = time.perf_counter()
newsum.summarize_many(texts)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0)
"""
VAL = ROOT.parent / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def stories(folder: Path) -> dict[str, Path]:
    from newsum.methods.model import load_model

    rng = random.Random(2)
    common = load_model().idf.words[:5000]
    dense = " ".join(" ".join(rng.choice(common) for _ in range(1500)) + " ." for _ in range(500))
    words = EXAMPLE.read_text(encoding="utf-8").split()
    rng = random.Random(1)
    paragraph = " ".join(rng.choice(words) for _ in range(400_000))
    out = {"500 sentences x 1,500 common words": dense, "one 400,000-word paragraph": paragraph}
    paths = {}
    for k, (name, text) in enumerate(out.items()):
        paths[name] = folder / f"story{k}.txt"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def batches(folder: Path) -> dict[str, Path]:
    import gzip
    import json

    rng = random.Random(3)
    one_word = [" ".join(f"Word{i}x{k}." for i in range(500)) for k in range(64)]
    with gzip.open(VAL, "rt", encoding="utf-8") as fh:
        usual = [json.loads(line)["article"] for _, line in zip(range(63), fh, strict=False)]
    words = " ".join(f"w{rng.randrange(10**9)}" for _ in range(50_000))
    paragraph = f"The council met on Monday. {words}. The mayor spoke later."
    out = {
        "batch: 64 stories of 500 one-word sentences": one_word,
        "batch: 63 usual stories and a 50,000-word paragraph": [*usual, paragraph],
    }
    paths = {}
    for k, (name, texts) in enumerate(out.items()):
        paths[name] = folder / f"batch{k}.json"
        paths[name].write_text(json.dumps(texts), encoding="utf-8")
    return paths


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print("| input | MB | wall s | peak RSS MiB |")
        print("|---|---|---|---|")
        runs = [(RUN, stories(Path(tmp)))]
        if VAL.exists():
            runs.append((RUN_MANY, batches(Path(tmp))))
        for code, paths in runs:
            for name, path in paths.items():
                out = subprocess.run(
                    [sys.executable, "-c", code, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                seconds, rss_kb, _ = out.stdout.split()[-3:]
                mb = path.stat().st_size / 1e6
                print(f"| {name} | {mb:.1f} | {float(seconds):.2f} | {int(rss_kb) / 1024:.0f} |")


if __name__ == "__main__":
    main()
