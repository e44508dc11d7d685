"""Words of a sentence for checking: surface form, character span, and a normalized key.

Keys make the summary and the story comparable whatever their form: lowercased, Porter-stemmed
(`newsum.rouge`), possessives dropped, numbers without thousands separators, number words as
digits ("three" -> "3"), so "Kilmarnock’s" (cased raw story) matches "kilmarnock 's" (tokenized
summary).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..stopwords import STOPWORDS

# Digit groups ("2,100", "13.5", "3:30") or words with inner apostrophes ("didn't", "o'neill").
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")

NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS.update(
    {
        w: str(10 * i)
        for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)
    }
)
NUMBER_WORDS.update({"twice": "2", "dozen": "12"})  # not "once", "single": rarely counts
# Words whose job is to scale or count: part of a quantity span, not a content word of their own.
UNITS = frozenset(
    """hundred hundreds thousand thousands million millions billion billions trillion percent
    per cent pound pounds dollar dollars euro euros yen year years month months week weeks day
    days hour hours minute minutes second seconds mile miles km kilometres kilometers metre
    metres meter meters feet foot inch inches kg kilograms tonnes tons lb lbs stone
    old""".split()
)
MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Negation cues; "n't" is matched by its ending.
NEGATIONS = frozenset("not no never nobody nothing none neither nor without cannot".split())
# Function words beyond the shared list that carry no fact of their own.
_EXTRA_STOP = frozenset(
    """unk s t ll re ve d m n o y just like could would should may might must shall will can
    get got make made take took come came go went going gone say said says told tell also even
    well back still yet since upon onto among amid via per whether however although though
    while""".split()
)
# "won" is a stopword for "won't" but in news it is the fact itself ("Smith won").
FUNCTION_WORDS = (STOPWORDS | _EXTRA_STOP) - NEGATIONS - frozenset(NUMBER_WORDS) - {"won"}

# Irregular verb forms news uses, to their base form (Porter leaves "won" and "winning" apart).
_IRREGULAR_FORMS = {
    "win": "won",
    "lose": "lost",
    "leave": "left",
    "pay": "paid",
    "find": "found",
    "hold": "held",
    "lead": "led",
    "meet": "met",
    "sell": "sold",
    "buy": "bought",
    "fall": "fell fallen",
    "rise": "rose risen",
    "run": "ran",
    "think": "thought",
    "bring": "brought",
    "catch": "caught",
    "build": "built",
    "spend": "spent",
    "send": "sent",
    "strike": "struck",
    "shoot": "shot",
    "beat": "beaten",
    "begin": "began begun",
    "break": "broke broken",
    "choose": "chose chosen",
    "drive": "drove driven",
    "fight": "fought",
    "fly": "flew flown",
    "give": "gave given",
    "grow": "grew grown",
    "know": "knew known",
    "see": "saw seen",
    "speak": "spoke spoken",
    "steal": "stole stolen",
    "throw": "threw thrown",
    "write": "wrote written",
    "hide": "hid hidden",
    "eat": "ate eaten",
    "sink": "sank sunk",
    "sing": "sang sung",
    "stand": "stood",
    "keep": "kept",
    "feel": "felt",
    "hear": "heard",
    "seek": "sought",
    "teach": "taught",
    "wear": "wore worn",
    "tear": "tore torn",
    "freeze": "froze frozen",
    "withdraw": "withdrew withdrawn",
    "forget": "forgot forgotten",
    "shake": "shook shaken",
    "ride": "rode ridden",
    "swim": "swam swum",
    "bite": "bit bitten",
    "forbid": "forbade forbidden",
    "bleed": "bled",
    "flee": "fled",
    "feed": "fed",
    "deal": "dealt",
    "mean": "meant",
    "lend": "lent",
    "bend": "bent",
    "sweep": "swept",
    "sleep": "slept",
    "weep": "wept",
}
IRREGULAR = {form: base for base, forms in _IRREGULAR_FORMS.items() for form in forms.split()}

_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Porter stem, memoized (the same few thousand words come back in every story)."""
    out = _STEMS.get(word)
    if out is None:
        # imported here: `import newsum` (and so every command's start-up) need not load ROUGE
        from ..rouge import porter_stem

        if len(_STEMS) > 200_000:  # bound the memory a long-running service can spend here
            _STEMS.clear()
        out = _STEMS[word] = porter_stem(word)
    return out


@dataclass(frozen=True, slots=True)
class Token:
    """One word: span in its sentence, surface text, key, and what kind of word it is."""

    start: int
    end: int
    text: str
    key: str
    kind: str  # "number", "date", "unit", "negation", "function" or "word"
    capital: bool  # starts with a capital letter (meaningful only in cased text)


_KEYS: dict[str, tuple[str, str]] = {}


def word_key(word: str) -> tuple[str, str]:
    """(key, kind) of one word, memoized by surface form."""
    out = _KEYS.get(word)
    if out is None:
        if len(_KEYS) > 200_000:
            _KEYS.clear()
        out = _KEYS[word] = _word_key(word)
    return out


def _word_key(word: str) -> tuple[str, str]:
    if word[0].isdigit():
        key = word.replace(",", "")
        if "." in key:
            key = key.rstrip("0").rstrip(".") if "." in key else key
        if len(key) == 4 and key[:2] in ("18", "19", "20"):
            return key, "date"  # a year
        return key, "number"
    low = _POSSESSIVE.sub("", word.lower()) or word.lower()
    if low in NUMBER_WORDS:
        return NUMBER_WORDS[low], "number"
    if low in NEGATIONS or low.endswith(("n't", "n’t")):
        return "not", "negation"
    if (low in MONTHS and (low != "may" or word == "May")) or low in WEEKDAYS:
        return low[:3], "date"  # "may" only as "May": otherwise the verb
    if low in UNITS:
        return stem(low), "unit"
    if low in FUNCTION_WORDS or len(low) < 2:
        return low, "function"
    low = low.replace("’", "'")
    return stem(IRREGULAR.get(low, low)), "word"


def tokens(text: str) -> list[Token]:
    """The words of one sentence with their spans and keys."""
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        key, kind = word_key(word)
        out.append(Token(m.start(), m.end(), word, key, kind, word[0].isupper()))
    return out


def keys(text: str) -> list[tuple[str, str, bool]]:
    """(key, kind, capitalized) of each word: `tokens` without the spans, for whole stories."""
    return [(*word_key(w), w[0].isupper()) for w in _TOKEN.findall(text)]
