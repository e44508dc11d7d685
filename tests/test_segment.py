"""Sentence splitting on raw and tokenized text, and the display detokenizer."""

from __future__ import annotations

import random
import re

import pytest
from conftest import EXAMPLE, ROOT, needs_example

from newsum import segment
from newsum.segment import (
    detokenize,
    looks_lowercased,
    looks_tokenized,
    split_sentences,
    word_tokens,
)


def sentences(text: str, tokenized: bool | None = None) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, tokenized)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Smith went to Washington. He met Dr. Jones there.",
            ["Mr. Smith went to Washington.", "He met Dr. Jones there."],
        ),
        ("Growth was 3.5 percent. Prices rose.", ["Growth was 3.5 percent.", "Prices rose."]),
        (
            "The book by J. K. Rowling sold well. It was a hit.",
            ["The book by J. K. Rowling sold well.", "It was a hit."],
        ),
        (
            "It grew in the U.S. economy. The U.S. Army said no.",
            ["It grew in the U.S. economy.", "The U.S. Army said no."],
        ),
        ("He moved to the U.S. He likes it.", ["He moved to the U.S.", "He likes it."]),
        (
            "It opens on Jan. 5 in Paris. Tickets are free.",
            ["It opens on Jan. 5 in Paris.", "Tickets are free."],
        ),
        (
            "Some fruit, e.g. apples, were sold. Others rotted.",
            ["Some fruit, e.g. apples, were sold.", "Others rotted."],
        ),
        ("He paused... Then he left.", ["He paused...", "Then he left."]),
        ('It was "over." She left.', ['It was "over."', "She left."]),
        (
            "(The statement was withdrawn.) Police declined to comment.",
            ["(The statement was withdrawn.)", "Police declined to comment."],
        ),
        ('"Why?" he asked. Nobody knew.', ['"Why?" he asked.', "Nobody knew."]),
        ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    ],
)
def test_raw_splitting(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Each cased case above, lowercased, splits the same way.
        ("mr. smith went to washington. he met dr. jones there.", 2),
        ("the book by j. k. rowling sold well. it was a hit.", 2),
        ("it opens on jan. 5 in paris. tickets are free.", 2),
        ("some fruit, e.g. apples, were sold. others rotted.", 2),
        ('"why?" he asked. nobody knew.', 2),
        ("is it true? yes! it is.", 3),
        ("he moved to the u.s. from ukraine in 1991. he likes it.", 2),
        ("he moved to the u.s. he likes it.", 2),
        ("he paused... then he left. nobody knew.", 2),
    ],
)
def test_lowercased_raw_splitting(text: str, expected: int) -> None:
    assert looks_lowercased(text)
    assert len(sentences(text)) == expected, sentences(text)


def test_lowercased_story_splits_like_the_cased_one() -> None:
    # The case: `tr A-Z a-z < story.txt` was one 2,529-character sentence.
    text = (ROOT / "examples" / "story.txt").read_text()
    low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    cased = {e for _, e in split_sentences(text)}
    lowered = {e for _, e in split_sentences(low)}
    assert len(cased) >= 10
    assert len(cased & lowered) >= 0.9 * len(cased) and len(lowered) <= 1.1 * len(cased)
    # A cased story is split as before: a lower-case word after a stop does not start one.
    assert sentences("He paused. then left.") == ["He paused. then left."]
    assert len(split_sentences(low, lowercased=False)) < len(split_sentences(low)) - 3


def test_raw_paragraphs_and_title_lines_are_boundaries() -> None:
    text = "Ferry saved\n\nLONDON (Reuters) - Voters kept the ferry. It runs daily.\nBy Jane Doe"
    assert sentences(text) == [
        "Ferry saved",
        "LONDON (Reuters) - Voters kept the ferry.",
        "It runs daily.",
        "By Jane Doe",
    ]


def test_hard_wrapped_lines_are_joined() -> None:
    text = (
        "The council had proposed replacing the ferry with a bridge that would\n"
        "cost a great deal of money and take many years to build, officials\n"
        "said on Monday. Supporters said the bridge would cut the journey from\n"
        "forty-five minutes to six minutes and would bring in more tourists.\n"
    )
    got = sentences(text)
    assert len(got) == 2
    assert got[0].startswith("The council") and got[0].endswith("on Monday.")


def test_tokenized_splitting_keeps_closing_quotes() -> None:
    text = (
        '" there were thousands of them . many were students , " he said . '
        "police fired . `` it was chaos . '' later , calm returned ? yes !"
    )
    assert sentences(text, tokenized=True) == [
        '" there were thousands of them .',
        'many were students , " he said .',
        "police fired .",
        "`` it was chaos . ''",
        "later , calm returned ?",
        "yes !",
    ]


def test_tokenized_opening_quote_starts_next_sentence() -> None:
    text = 'authorities said . " we retrieved his body , " he said .'
    assert sentences(text, tokenized=True) == [
        "authorities said .",
        '" we retrieved his body , " he said .',
    ]


def test_one_sentence_per_line_lines_are_split_further() -> None:
    text = "first line has no stop\nsecond line . it holds two\nthird"
    assert sentences(text, tokenized=True) == [
        "first line has no stop",
        "second line .",
        "it holds two",
        "third",
    ]


@needs_example
def test_example_story_lines_are_sentences() -> None:
    text = EXAMPLE.read_text()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    got = sentences(text)
    assert looks_tokenized(text) and looks_lowercased(text)
    # Every line boundary is a sentence boundary; no sentence crosses a line.
    assert all("\n" not in s for s in got)
    assert len(got) >= len(lines)


def test_spans_point_into_the_input() -> None:
    text = "  One here.  Two here!\n\nThree?  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["One here.", "Two here!", "Three?"]


def test_raw_sample_accuracy() -> None:
    """Hand-labelled raw news sentences, joined into paragraphs: at least 95% exact."""
    gold = [ln for ln in (ROOT / "tests/fixtures/raw_sentences.txt").read_text().splitlines() if ln]
    text = "\n\n".join(" ".join(gold[i : i + 4]) for i in range(0, len(gold), 4))
    got = set(sentences(text))
    exact = sum(1 for g in gold if g in got)
    assert exact / len(gold) >= 0.95


@pytest.mark.parametrize(
    "tokens, expected",
    [
        ("iraqi 's army", "iraqi's army."),
        ("the ( irgc ) force", "the (irgc) force."),
        ("he said `` quote '' today", "he said “quote” today."),
        ('he said " quote , " then left .', "he said “quote,” then left."),
        ("they wo n't go", "they won't go."),
        ("in miami - dade county", "in miami-dade county."),
        ("the south - the rebels", "the south - the rebels."),
        ("won 1 - 0 at home", "won 1-0 at home."),
        ("it cost $ 5 million , or 10 % .", "it cost $5 million, or 10%."),
        ("civilians ' cars", "civilians' cars."),
        ("' we will stay , ' he said .", "‘we will stay,’ he said."),
        ("a -- b", "a — b."),
    ],
)
def test_detokenize(tokens: str, expected: str) -> None:
    assert detokenize(tokens) == expected


def test_detokenize_capitalizes_lowercased_sentences() -> None:
    assert detokenize("' i think so , ' he said .", capitalize=True) == "‘I think so,’ he said."
    assert detokenize("isis fighters fled", capitalize=True) == "Isis fighters fled."


def test_word_tokens() -> None:
    assert word_tokens("The U.S. army's 3.5% rise — fast!") == [
        "the",
        "u",
        "s",
        "army",
        "s",
        "3",
        "5",
        "rise",
        "fast",
    ]


def test_detection() -> None:
    assert looks_tokenized("he said , `` no . '' then the u.s. army 's men left .")
    assert not looks_tokenized('He said, "No." Then the U.S. Army\'s men left.')
    assert looks_lowercased("all lower case here")
    assert not looks_lowercased("Some Upper Case Here")


# The readable forms of the regexes that segment.py writes literal-first for speed.
_REFERENCE_FORMS = {
    "_TOK_MARK": r"""(?<!\S)(?:\.\.\.\.|``|''|\.\.|!!|\?!|!\?|\?\?|["'.?!])(?!\S)""",
    "_SPECIAL_TOK": r"""(?<![^ \n])(?:``|''|--|["'-])(?![^ \n])""",
    "_SENT_END_RAW": r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s)",
}


@pytest.mark.parametrize("name", sorted(_REFERENCE_FORMS))
def test_literal_first_regexes_match_their_readable_forms(name: str) -> None:
    fast, reference = getattr(segment, name), re.compile(_REFERENCE_FORMS[name])
    rng = random.Random(name)
    pieces = ['"', "'", "`", "``", "''", ".", "....", "?", "!", "…", "-", "--", " ", " ", "\n"]
    pieces += ["\t", "a", "é", "1", ")", "]", "”", "’"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 24)))
        spans = [m.span() for m in fast.finditer(text)]
        assert spans == [m.span() for m in reference.finditer(text)], text
        start = rng.randrange(len(text) + 1)
        found, expected = fast.search(text, start), reference.search(text, start)
        assert (found and found.span()) == (expected and expected.span()), (text, start)
