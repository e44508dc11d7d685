"""Build newsum/models/truecase.tsv, the casing table of `newsum.truecase`, once.

Sources (both MIT licensed; install them only to run this script: newsum does not need them):
- `true-case` 0.1.5 (blester125): how often each of 757,716 tokens of tokenized, cased CNN and
  Daily Mail stories starts with a capital (`cap`, `total`; sentence starts included);
- `truecase` 0.0.14 (daltonfury42): exact forms (all-caps, McDonald, iPhone) with counts from
  the Brown, Reuters, SemCor and CoNLL-2000 corpora, and word bigrams, which give counts of each
  form away from the start of a sentence.

A word goes in the table when CNN/DailyMail capitalized it at least LOW of the time (and it was
seen MIN_TOTAL times): kind "1" (shown capitalized) from HIGH on, unless truecase saw it mostly in
lower case away from sentence starts; else kind "?" (capitalized only next to a capitalized word:
World Cup, Manchester City Council). Its form: a curated acronym (ACRONYMS), else truecase's most
frequent capitalized form (McDonald, iPhone), else all capitals for a short word without vowels
(NHS, FBI), else a capital first letter. Word pairs (two columns: "a b", then "xy") override the
words' own kinds where truecase's bigrams agree on the pair's casing (New York, the council).
Words with an apostrophe or a dot are left to the rules in newsum.truecase. The thresholds were
chosen by the accuracy on the FRANK validation articles (benchmarks/lowercased_text.py).

    pip install true-case==0.1.5 truecase==0.0.14
    python tools/build_truecase_table.py [--out newsum/models/truecase.tsv]

The pickles are read here, once; the table is plain text: `word<TAB>form<TAB>kind` lines sorted,
then the pairs' `a b<TAB>xy` lines sorted, uncompressed (newsum.truecase searches each part in
place).
"""

from __future__ import annotations

import argparse
import pickle
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_TOTAL = 3
PAIR_MIN = 3  # votes a word pair needs to override the words' usual casing
PAIR_SHARE = 0.75  # and the share of them that must agree
HIGH = 0.75  # capitalized at least this often: always shown so
LOW = 0.15  # capitalized at least this often (and less than HIGH): only next to a capital
# News acronyms pronounced as words (so the no-vowel rule misses them) and ones truecase's
# corpora lack or spell otherwise (truecase has "Isis", the goddess).
ACRONYMS = frozenset(
    """isis isil nasa nato fifa uefa opec ukip unicef unesco aids swat nascar asean aclu fema espn
    peta sars mers covid ebitda gchq mi5 mi6 nsa cia fbi nhs bbc cnn itv abc nbc cbs msnbc hbo
    nfl nba mlb nhl ufc wwe psg ac fc cctv gps dna hiv ceo cfo mp mps mep qc uk usa un eu
    ira idf lapd nypd tsa epa irs dea atf sec faa fda cdc wto imf iaea raf rspca nspcc
    mrsa ocd adhd ptsd icu ivf bmw vw lgbt""".split()
)
# Short vowel-less words that are titles or abbreviations, not acronyms.
NOT_ACRONYMS = frozenset("mr mrs ms dr st mt jr sr ft lt sgt pvt hwy blvd rd nd th".split())
_WORD = re.compile(r"[^\W\d_]+")


def load_sources() -> tuple[dict, dict]:
    from true_case.model import TrueCase  # noqa: F401  (the pickle's classes)

    site = Path(__import__("true_case").__file__).parent
    with open(site / "data" / "model.p", "rb") as fh:
        counts = pickle.load(fh)
    dist = Path(__import__("truecase").__file__).parent / "data" / "english.dist"
    with open(dist, "rb") as fh:
        tc = pickle.load(fh)
    return counts, tc


def mid_sentence_forms(tc: dict) -> dict[str, Counter]:
    """Counts of each form of a word after another word (never at a sentence start)."""
    mid: dict[str, Counter] = {}
    for key, n in tc["backward_bi_dist"].items():
        prev, _, form = key.rpartition("_")
        if prev and form:
            mid.setdefault(form.lower(), Counter())[form] += n
    return mid


def pair_votes(tc: dict) -> dict[tuple[str, str], list[int]]:
    """(a, b) -> [a capitalized, a lower, b capitalized, b lower] away from sentence starts,
    from truecase's forward (a's form before b) and backward (b's form after a) bigrams."""
    votes: dict[tuple[str, str], list[int]] = {}
    for key, n in tc["forward_bi_dist"].items():
        form, _, nxt = key.partition("_")
        if _WORD.fullmatch(form) and _WORD.fullmatch(nxt):
            votes.setdefault((form.lower(), nxt), [0, 0, 0, 0])[0 if form[0].isupper() else 1] += n
    for key, n in tc["backward_bi_dist"].items():
        prev, _, form = key.rpartition("_")
        if _WORD.fullmatch(prev) and _WORD.fullmatch(form):
            votes.setdefault((prev.lower(), form.lower()), [0, 0, 0, 0])[
                2 if form[0].isupper() else 3
            ] += n
    return votes


def _decide(cap: int, low: int) -> str:
    if cap + low < PAIR_MIN or max(cap, low) < PAIR_SHARE * (cap + low):
        return "-"
    return "1" if cap > low else "0"


def pairs(tc: dict, usual: dict[str, str]) -> list[tuple[str, str]]:
    """("a b", xy): x / y say whether a / b are capitalized next to each other (1 yes, 0 no,
    - as usual), kept only where that differs from the word's usual casing."""
    rows = []
    for (a, b), (a_cap, a_low, b_cap, b_low) in pair_votes(tc).items():
        x, y = _decide(a_cap, a_low), _decide(b_cap, b_low)
        x = "-" if x == ("1" if usual.get(a) == "1" else "0") else x
        y = "-" if y == ("1" if usual.get(b) == "1" else "0") else y
        # A capital from a pair only inside a name (both words in the table: "new york"), not
        # from one corpus's habit next to a common word ("Council had" in Reuters).
        if "1" in x + y and not (a in usual and b in usual):
            x, y = x.replace("1", "-"), y.replace("1", "-")
        if x + y != "--":
            rows.append((f"{a} {b}", x + y))
    return sorted(rows)


def form_of(word: str, tc: dict) -> str:
    if word in ACRONYMS:
        return word.upper()
    if word in NOT_ACRONYMS:
        return word.capitalize()
    forms = [f for f in tc["word_casing_lookup"].get(word, ()) if not f.islower()]
    if forms:
        best = max(forms, key=lambda f: (tc["uni_dist"][f], f))
        # An all-caps form only when it is not a headline's shout of a common word.
        if not (best.isupper() and len(best) > 4):
            return best
    if len(word) <= 5 and not re.search("[aeiouy]", word) and word not in NOT_ACRONYMS:
        return word.upper()
    if word.startswith("mc") and len(word) > 3:
        return "Mc" + word[2:].capitalize()
    return word.capitalize()


def build(counts: dict, tc: dict) -> list[tuple[str, str, str]]:
    """(word, form, kind): kind "1" when the form is usual, "?" when the word is capitalized
    only in some names (World Cup, the council): newsum capitalizes it next to a capital."""
    mid = mid_sentence_forms(tc)
    rows = []
    for word, c in counts.items():
        if c.total < MIN_TOTAL or c.cap < LOW * c.total or not _WORD.fullmatch(word):
            continue
        if word != word.lower():
            continue
        ratio = c.cap / c.total
        kind = "1" if ratio >= HIGH else "?"
        seen = mid.get(word)
        if seen and sum(seen.values()) >= 5 and seen[word] * 2 >= sum(seen.values()):
            kind = "?"  # mostly lower case inside sentences
        if word in ACRONYMS:
            kind = "1"
        form = form_of(word, tc)
        if form != word:
            rows.append((word, form, kind))
    known = {row[0] for row in rows}
    rows += [(w, w.upper(), "1") for w in ACRONYMS if _WORD.fullmatch(w) and w not in known]
    return sorted(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "newsum" / "models" / "truecase.tsv"))
    args = ap.parse_args()
    counts, tc = load_sources()
    rows = build(counts, tc)
    two = pairs(tc, {w: kind for w, _, kind in rows})
    data = "".join("\t".join(row) + "\n" for row in [*rows, *two]).encode("utf-8")
    Path(args.out).write_bytes(data)  # not compressed: newsum reads it in ~1 ms, inflating took 15
    size = Path(args.out).stat().st_size / 1e6
    print(f"{len(rows)} words, {len(two)} pairs -> {args.out} ({size:.2f} MB)")


if __name__ == "__main__":
    main()
