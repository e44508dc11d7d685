"""Reading hostile one-line inputs: the right result, by structure (timing is left to
benchmarks/bench_linear.py; these inputs took minutes when splitting was quadratic)."""

from __future__ import annotations

import random

import newsum
from newsum import segment
from newsum.html import MAX_ATTRIBUTES, cap_attributes


def test_16k_raw_sentences_on_one_line() -> None:
    text = " ".join(f"Word{i}." for i in range(16_000))
    doc = newsum.read_document(text, "text")
    assert len(doc) == 16_000
    assert doc.sentences[-1].text == "Word15999."
    assert [s.index for s in newsum.summarize(text, "lead").sentences] == [0, 1, 2]


def test_16k_tokenized_sentences_on_one_line() -> None:
    text = " ".join(f"word{i} , said he ." for i in range(16_000))
    doc = newsum.read_document(text)
    assert doc.kind == "tokenized"
    assert len(doc) == 16_000
    assert doc.sentences[7].text == "Word7, said he."


def test_long_punctuation_runs_do_not_backtrack() -> None:
    # 60 dots not followed by a space: the old sentence-end pattern backtracked exponentially.
    text = "It began" + "." * 60 + "x and went on. Then it ended!" + "?" * 60 + "y"
    spans = segment.split_sentences(text, tokenized=False)
    assert [text[s:e] for s, e in spans] == [
        "It began" + "." * 60 + "x and went on.",
        "Then it ended!" + "?" * 60 + "y",
    ]


def test_long_word_before_a_full_stop() -> None:
    word = "x" * 200_000
    text = f"Dr. {word}. Mr. {word}. The end."
    spans = segment.split_sentences(text, tokenized=False)
    assert [text[s:e] for s, e in spans] == [f"Dr. {word}.", f"Mr. {word}.", "The end."]


def test_detokenize_many_matches_the_token_by_token_reference() -> None:
    rng = random.Random(7)
    vocab = [
        '"',
        "'",
        "``",
        "''",
        "--",
        "-",
        "(",
        ")",
        "$",
        "#",
        "[",
        "]",
        ",",
        ".",
        "n't",
        "N'T",
        "'s",
        "...",
        "?",
        "a",
        "bass",
        "fox",
        "s",
        "the",
        "1",
        "i",
        "%",
        ":",
        "'m",
    ]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 14))) for _ in range(3000)]
    for capitalize in (False, True):
        expected = []
        for t in texts:
            ref = segment._detokenize_tokens(t.split())
            ref = ref + "." if ref[-1:].isalnum() else ref
            expected.append(segment._capitalize(ref) if capitalize else ref)
        assert segment.detokenize_many(texts, capitalize) == expected
        assert [segment.detokenize(t, capitalize) for t in texts[:200]] == expected[:200]


def test_detokenize_many_normalizes_odd_whitespace_in_non_ascii_text() -> None:
    # Non-ASCII text with single spaces skips the whitespace pass; with any other whitespace
    # (tabs, no-break and thin spaces, doubled spaces) it must not.
    rng = random.Random(11)
    vocab = ["é", "£", "a", "the", "'", '"', "-", "(", ")", ",", "n't", "1", "”", "—"]
    spaces = [" ", " ", " ", "  ", "\xa0", "\t", "\u2009", "\u3000", "\x1f", "\u2028"]
    texts = []
    for _ in range(3000):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 10))]
        texts.append("".join(w + rng.choice(spaces) for w in words).rstrip(rng.choice(["", " "])))
    for batch in (texts[k : k + 3] for k in range(0, len(texts), 3)):
        expected = []
        for t in batch:
            ref = segment._detokenize_tokens(t.split())
            expected.append(ref + "." if ref[-1:].isalnum() else ref)
        assert segment.detokenize_many(batch) == expected, batch


def test_detokenize_examples() -> None:
    text = "`` we 're here , '' he said -- the miami - dade ' civilians ' cars ( irgc ) did n't"
    assert segment.detokenize(text, capitalize=True) == (
        "“We're here,” he said — the miami-dade ‘civilians’ cars (irgc) didn't."
    )
    assert segment.detokenize('the civilians \' cars were " hit "') == (
        "the civilians' cars were “hit”"
    )


def test_many_attributes_in_one_tag_are_dropped_before_parsing() -> None:
    many = "<div " + " ".join(f'a{i}="{i}"' for i in range(MAX_ATTRIBUTES + 1)) + ">x</div>"
    assert cap_attributes(many) == "<div>x</div>"
    few = "<div " + " ".join(f'a{i}="{i}"' for i in range(MAX_ATTRIBUTES)) + ">x</div>"
    assert cap_attributes(few) == few
    soup = "<p>" + "<a " * 50_000 + "text"
    assert cap_attributes(soup) == soup
    page = "<html><body><p class='x' id=\"y\">Story.</p></body></html>"
    assert cap_attributes(page) == page
