"""newsum.check: the API, its JSON shape, and a checker that catches what it is for (swapped
names, numbers and dates) on stories written here."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

import newsum
from newsum.check import Check, split_summary
from newsum.check.frank import load_frank, partial_corr, subset
from newsum.errors import InputError

STORY = """Kilmarnock name Locke as manager

Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday, the club said.
The former Hearts captain has been given a three-year deal after winning seven of his 12 games
in charge. Locke replaced Allan Johnston in February, when Johnston left for Dundee.

Chairman Jim Mann said the board had been impressed by the 39-year-old. "Gary has earned it,"
Mann said. The club paid £250,000 for striker Josh Magennis in March.
"""

FAITHFUL = [
    "Gary Locke will be confirmed as Kilmarnock's permanent manager on Friday.",
    "Locke replaced Allan Johnston in February.",
]


def unsupported(result: Check, k: int) -> dict[str, tuple[str, str]]:
    return {u.text: (u.type, u.reason) for u in result.sentences[k].unsupported}


def test_a_faithful_summary_is_supported_with_its_sources():
    result = newsum.check(STORY, " ".join(FAITHFUL))
    assert result.supported
    assert result.score > 0.9
    assert [s.text for s in result.sentences] == FAITHFUL
    doc = result.story
    # Each sentence rests first on the story sentence it was copied from.
    assert "confirmed as Kilmarnock" in doc.sentences[result.sentences[0].sources[0]].text
    assert "replaced Allan Johnston" in doc.sentences[result.sentences[1].sources[0]].text
    assert all(not s.unsupported for s in result.sentences)


def test_an_invented_name_is_caught_and_located():
    text = "Locke replaced Steve Clarke in February."
    result = newsum.check(STORY, text)
    assert unsupported(result, 0) == {"Steve Clarke": ("name", "absent")}
    span = result.sentences[0].unsupported[0]
    assert text[span.start : span.end] == "Steve Clarke"
    assert not result.supported
    assert result.score < newsum.check(STORY, FAITHFUL[1]).score


def test_a_name_swapped_in_from_another_fact_is_flagged_elsewhere():
    # Josh Magennis is in the story, but not anywhere near the appointment.
    result = newsum.check(STORY, "Josh Magennis will be confirmed as Kilmarnock's manager.")
    assert unsupported(result, 0).get("Josh Magennis") == ("name", "elsewhere")
    assert result.score < newsum.check(STORY, FAITHFUL[0]).score


def test_changed_numbers_and_dates_are_caught():
    result = newsum.check(
        STORY,
        [
            "Locke won nine of his 12 games in charge.",
            "Locke replaced Allan Johnston in April.",
            "The club paid £350,000 for striker Josh Magennis.",
            "He has been given a four-year deal.",
        ],
    )
    assert unsupported(result, 0) == {"nine": ("number", "absent")}
    assert unsupported(result, 1) == {"April": ("date", "absent")}
    assert unsupported(result, 2) == {"350,000": ("number", "absent")}
    assert unsupported(result, 3) == {"four-year": ("quantity", "absent")}
    assert not any(s.supported for s in result.sentences)


def test_numbers_match_in_words_or_digits():
    result = newsum.check(STORY, "Locke won 7 of his twelve games in charge.")
    assert result.sentences[0].supported
    assert not result.sentences[0].unsupported


def test_a_lowercased_tokenized_summary_matches_a_cased_story():
    result = newsum.check(
        STORY, "gary locke will be confirmed as kilmarnock 's permanent manager on friday ."
    )
    assert result.sentences[0].supported and not result.sentences[0].unsupported
    assert result.score > 0.9
    # Lowercased words the story capitalizes are names; an unknown one is only a word.
    moved = newsum.check(STORY, "josh magennis will be confirmed as kilmarnock 's manager .")
    assert unsupported(moved, 0) == {"josh magennis": ("name", "elsewhere")}
    invented = newsum.check(STORY, "steve clarke replaced allan johnston in february .")
    assert unsupported(invented, 0) == {"steve": ("word", "absent"), "clarke": ("word", "absent")}


def test_an_added_negation_lowers_the_score():
    plain = newsum.check(STORY, "Locke replaced Allan Johnston in February.")
    negated = newsum.check(STORY, "Locke never replaced Allan Johnston in February.")
    assert negated.sentences[0].features["negation"] == 1.0
    assert negated.score < plain.score


def test_unsupported_words_and_spliced_sentences_score_lower():
    copied = newsum.check(STORY, "Chairman Jim Mann said the board had been impressed.")
    invented = newsum.check(STORY, "Chairman Jim Mann said the board was furious and divided.")
    assert copied.score > invented.score
    assert {"furious", "divided"} <= set(unsupported(invented, 0))


def test_summary_as_text_or_list_gives_the_same_check():
    as_text = newsum.check(STORY, "\n".join(FAITHFUL))
    as_list = newsum.check(STORY, FAITHFUL)
    assert as_text.to_dict() == as_list.to_dict()


def test_the_story_can_be_a_document_or_a_web_page():
    doc = newsum.read_document(STORY)
    assert newsum.check(doc, FAITHFUL).to_dict() == newsum.check(STORY, FAITHFUL).to_dict()
    page = (
        "<html><body><article>"
        + "".join(f"<p>{p}</p>" for p in STORY.split("\n\n")[1:])
        + "</article></body></html>"
    )
    result = newsum.check(page, FAITHFUL[1], format="html")
    assert result.sentences[0].supported


def test_to_dict_is_the_json_shape():
    result = newsum.check(STORY, ["Locke replaced Steve Clarke in February."])
    out = json.loads(json.dumps(result.to_dict(story=True)))
    assert set(out) == {"score", "supported", "sentences", "story_sentences"}
    sent = out["sentences"][0]
    assert set(sent) == {"text", "score", "supported", "sources", "unsupported"}
    assert 0.0 <= out["score"] <= 1.0 and 0.0 <= sent["score"] <= 1.0
    assert sent["unsupported"] == [
        {"start": 15, "end": 27, "text": "Steve Clarke", "type": "name", "reason": "absent"}
    ]
    cited = {s["index"]: s for s in out["story_sentences"]}
    assert set(cited) == set(sent["sources"])
    for s in cited.values():
        assert result.story.text[s["start"] : s["end"]] == result.story.sentences[s["index"]].source
    assert set(result.to_dict()) == {"score", "supported", "sentences"}


def test_scores_stay_in_range_for_nonsense():
    result = newsum.check(STORY, "Zxq vlorp 999 Quuux blargh fnord.")
    assert 0.0 <= result.score < 0.5
    assert not result.supported


@pytest.mark.parametrize(
    ("story", "summary", "message"),
    [
        ("", "A summary.", "story is empty"),
        (STORY, "", "summary is empty"),
        (STORY, "   \n ", "summary is empty"),
        (STORY, [], "summary is empty"),
        (STORY, ["ok", 3], "summary must be a string or a list of strings"),
        (STORY, 42, "summary must be a string or a list of strings"),
        (None, "A summary.", "story must be text"),
        ({"article": STORY}, "A summary.", "story must be text"),
    ],
)
def test_bad_input_is_an_input_error(story, summary, message):
    with pytest.raises(InputError, match=message):
        newsum.check(story, summary)


def test_split_summary_keeps_given_sentences():
    assert split_summary(["One fact.", "", "Two facts."]) == ["One fact.", "Two facts."]
    assert split_summary("One fact. Two facts.") == ["One fact.", "Two facts."]


FRANK = DATA / "frank_factuality_valid.jsonl.gz"


@pytest.mark.skipif(not FRANK.exists(), reason=f"FRANK validation data not found at {FRANK}")
def test_frank_validation_correlation_meets_the_target():
    records = load_frank(FRANK)
    scores = [newsum.check(r["article"], r["summary"]).score for r in records]
    human = [r["factuality"] for r in records]
    systems = [r["system"] for r in records]
    cnn = subset(records, "cnndm")
    r_cnn = partial_corr(
        [scores[i] for i in cnn], [human[i] for i in cnn], [systems[i] for i in cnn]
    )
    assert r_cnn >= 0.40
    assert partial_corr(scores, human, systems) >= 0.30


def test_partial_correlation_removes_system_effects():
    # Within each system the score tracks the human label exactly; across systems it is
    # anti-correlated. Controlling for the system must see only the within-system agreement.
    scores = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]
    human = [0.1, 0.0, -0.1, 1.1, 1.0, 0.9]
    systems = ["a", "a", "a", "b", "b", "b"]
    assert partial_corr(scores, human, systems) == pytest.approx(1.0)
    assert partial_corr(scores, human, systems, spearman=True) == pytest.approx(1.0)


def test_results_do_not_depend_on_string_hashing():
    # Sums over sets of words must not follow the process's hash seed (float order, ties):
    # a made-up story and 30 summary sentences give many sums of different idf values.
    import os
    import subprocess
    import sys

    code = """
import json, random, newsum
rng = random.Random(7)
vocab = [f"w{chr(97 + i % 26)}{chr(97 + i // 26)}x" for i in range(300)]
story = " ".join(
    " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 25))).capitalize() + "."
    for _ in range(40)
)
summary = [" ".join(rng.choice(vocab) for _ in range(18)) + "." for _ in range(30)]
c = newsum.check(story, summary)
print(json.dumps([c.to_dict(), [s.features for s in c.sentences]]))
"""
    outs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outs.add(proc.stdout)
    assert len(outs) == 1
