"""newsum: fast, offline, extractive news summarization.

>>> import newsum
>>> print(newsum.summarize(story_text))          # three highlight sentences
>>> newsum.check(story_text, summary_text).score  # how far the story backs a summary
"""

from .budget import Budget
from .check import Check, check  # newsum.check(...) is the function
from .document import Document, Sentence, Summary, SummarySentence
from .errors import InputError, NewsumError, UsageError
from .methods.base import Method, available_methods, get_method, register
from .readers import load_document, read_document
from .select import Combination, Greedy
from .summarizer import default_method, summarize, summarize_document, summarize_many

__version__ = "0.1.0"

__all__ = [
    "Budget",
    "Check",
    "Combination",
    "Greedy",
    "Document",
    "InputError",
    "Method",
    "NewsumError",
    "Sentence",
    "Summary",
    "SummarySentence",
    "UsageError",
    "available_methods",
    "check",
    "default_method",
    "get_method",
    "load_document",
    "read_document",
    "register",
    "summarize",
    "summarize_document",
    "summarize_many",
]
