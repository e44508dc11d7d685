"""The `llm` method: grounded abstractive highlights from any OpenAI-compatible server.

`client` speaks the chat completions API, `prompt` builds the grounded prompt and parses the
answer, `method` puts them together with the `model` ranking and `newsum.check`, `options` holds
the command-line options. This module holds only what they share (settings' environment names,
errors), so registering the method imports no HTTP code.
"""

from ..errors import NewsumError

ENV_URL = "NEWSUM_LLM_URL"
ENV_MODEL = "NEWSUM_LLM_MODEL"
ENV_KEY = "NEWSUM_LLM_API_KEY"
ENV_CONTEXT = "NEWSUM_LLM_CONTEXT"  # the service's settings reach its workers this way
ENV_TIMEOUT = "NEWSUM_LLM_TIMEOUT"


class LLMError(NewsumError):
    """The server could not be used (unreachable, HTTP error, unusable answer)."""


class LLMUnavailable(LLMError):
    """The server did not answer usefully after the retries: the caller may fall back."""


class FormatRejected(LLMError):
    """The server does not accept the request's `response_format` (ask without it)."""
