"""newsum: fast, offline, extractive news summarization.

>>> import newsum
>>> print(newsum.summarize(story_text))          # three highlight sentences
"""

from .document import Document, Sentence, Summary, SummarySentence
from .errors import InputError, NewsumError, UsageError
from .methods.base import Method, available_methods, get_method, register
from .readers import read_document
from .select import Combination, Greedy
from .summarizer import default_method, summarize, summarize_document, summarize_many

__version__ = "0.1.0"

__all__ = [
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
    "default_method",
    "get_method",
    "read_document",
    "register",
    "summarize",
    "summarize_document",
    "summarize_many",
]
