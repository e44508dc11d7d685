"""Truecasing of lowercased input's display text (newsum.truecase)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import DATA, ROOT, SHIPPED_EXAMPLE

import newsum
from newsum.segment import normalize_space, word_tokens
from newsum.truecase import TABLE, SortedTable, _load, truecase

FRANK = DATA / "frank_factuality_valid.jsonl.gz"


@pytest.mark.parametrize(
    "text, expected",
    [
        # Acronyms.
        (
            "the fbi told cnn that isis fighters had fled, the nhs said.",
            "The FBI told CNN that ISIS fighters had fled, the NHS said.",
        ),
        # A dateline, then the first word of the story; names.
        (
            "(cnn) -- the palestinian authority joined the court on wednesday.",
            "(CNN) -- The Palestinian Authority joined the court on Wednesday.",
        ),
        # Names after quotes, the start of a quoted sentence, `i`.
        (
            'she said: "obama will visit london, and i will go too."',
            'She said: "Obama will visit London, and I will go too."',
        ),
        ("'obama's plan,' he said.", "'Obama's plan,' he said."),
        ("“tikrit is ours,” a soldier said.", "“Tikrit is ours,” a soldier said."),
        # Dotted abbreviations; web addresses keep their case.
        ("the u.s. said so on bbc.co.uk today.", "The U.S. said so on bbc.co.uk today."),
        # Sentences run together without a space.
        ("he left.the police said so.", "He left.The police said so."),
    ],
)
def test_truecase(text: str, expected: str) -> None:
    assert truecase(text) == expected


def test_lowercased_raw_and_tokenized_input_are_truecased_for_display_only() -> None:
    raw = "isis fighters fled tikrit on monday, iraqi officials said. the fbi is watching."
    tok = "isis fighters fled tikrit on monday , iraqi officials said .\nthe fbi is watching .\n"
    for text, fmt in ((raw, "auto"), (tok, "tokenized")):
        doc = newsum.read_document(text, fmt)
        assert doc.lowercased
        assert [s.text for s in doc.sentences] == [
            "ISIS fighters fled Tikrit on Monday, Iraqi officials said.",
            "The FBI is watching.",
        ]
        for s in doc.sentences:
            assert s.source == text[s.start : s.end]  # spans still point into the input
            assert list(s.tokens) == word_tokens(s.source)  # tokens unchanged (lower case)


def test_cased_input_is_never_changed() -> None:
    text = SHIPPED_EXAMPLE.read_text()
    doc = newsum.read_document(text)
    assert not doc.lowercased
    assert [s.text for s in doc.sentences] == [normalize_space(s.source) for s in doc.sentences]
    mixed = "The iPhone maker said the nhs deal was off. Analysts at the fbi disagreed."
    assert [s.text for s in newsum.read_document(mixed).sentences] == [
        "The iPhone maker said the nhs deal was off.",
        "Analysts at the fbi disagreed.",
    ]


def test_the_table_is_plain_text_and_needs_no_other_package() -> None:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 100_000
    assert all(len(line.split("\t")) in (2, 3) for line in lines)
    code = (
        "import sys\n"
        "for name in ('pickle', 'true_case', 'truecase', 'nltk'):\n"
        "    sys.modules[name] = None  # importing any of them now fails\n"
        "from newsum.truecase import truecase\n"
        "print(truecase('the fbi and cnn'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "The FBI and CNN"


def _reference_table() -> tuple[dict[str, str], dict[str, str]]:
    """The table parsed line by line into dicts (how newsum read it before the in-place search)."""
    words: dict[str, str] = {}
    two: dict[str, str] = {}
    with open(TABLE, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 3:
                words[cols[0]] = ("1" if cols[2] == "1" else "?") + cols[1]
            else:
                two[cols[0]] = cols[1]
    return words, two


def test_in_place_lookups_equal_the_parsed_table_on_every_key() -> None:
    words, two = _reference_table()
    forms, pairs = _load()
    assert len(words) > 100_000 and len(two) > 1_000
    assert all(forms.get(w) == code for w, code in words.items())
    assert all(pairs.get(p) == xy for p, xy in two.items())
    # Keys that are not there: between, before and after the stored ones, pairs as words and
    # words as pairs, prefixes and extensions of stored keys.
    missing = ["", "a", "zzzzzz", "\U0010ffff", "obamaa", "obam", "new york city", "\ud800x"]
    missing += [w + "x" for w in list(words)[::997]] + [w[:-1] for w in list(words)[::991]]
    missing += list(two)[:50] + [p.split()[0] for p in list(two)[::53]]
    missing += ["obama\tObama", "obama\tObama\t1", "obama\n", "new york\t-1"]
    for key in missing:
        assert forms.get(key) == words.get(key), key
        assert pairs.get(key) == two.get(key), key


def test_sorted_table_finds_keys_at_every_stretch_edge() -> None:
    keys = [f"k{i:05d}" for i in range(0, 4000, 3)]
    data = "".join(f"{k}\tv{k}\n" for k in keys).encode()
    table = SortedTable(data, 0, len(data))
    assert len(table.keys) > 5  # several stretches
    assert all(table.get(k) == f"v{k}" for k in keys)
    assert [table.get(f"k{i:05d}") for i in (1, 2, 3998, 4000)] == [None] * 4
    assert table.get("a") is None and table.get("l") is None


@pytest.mark.skipif(not FRANK.exists(), reason=f"FRANK data not found at {FRANK}")
def test_lowercased_frank_highlights_are_cased_as_the_originals() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from lowercased_text import display_accuracy, load_articles

    counts = display_accuracy(load_articles(str(FRANK)))
    assert counts["right"] / counts["words"] >= 0.95
    assert counts["sentence starts right"] / counts["sentence starts"] >= 0.95


def test_lowercased_story_keeps_its_headline_apart() -> None:
    # `tr A-Z a-z < story.txt`: the headline is the title, as for the cased story.
    text = SHIPPED_EXAMPLE.read_text()
    cased, low = newsum.read_document(text), newsum.read_document(text.lower())
    assert low.lowercased and cased.title
    assert low.title == cased.title  # "Harbour town votes to keep its ferry after 40-year fight"
    assert [s.start for s in low.sentences] == [s.start for s in cased.sentences]


def test_text_without_a_stop_before_a_letter_splits_the_same_way_without_abbreviations() -> None:
    from newsum.truecase import _DOT_LETTER, _SPLIT, _SPLIT_UNDOTTED

    texts = [
        "the u.s. said so.",
        "in the u.s at 3.5 p.m. ...",
        "o'neill's dog ... and  the cat’s -- bbc.co.uk/news",
        "é.é und straße. 2.b",
        "a.b",
        "x . y . z",
        "he said. she said.",
        "\u00b2.x and ¹ . 4a.b",
        "",
    ]
    texts += [s.plain for s in newsum.read_document(SHIPPED_EXAMPLE.read_text()).sentences]
    undotted = 0
    for text in texts:
        if _DOT_LETTER.search(text) is None:
            undotted += 1
            assert _SPLIT_UNDOTTED.split(text) == _SPLIT.split(text), text
    assert undotted >= 5
