"""The `llm` method: grounded abstractive highlights from any OpenAI-compatible server.

`client` speaks the chat completions API, `prompt` builds the grounded prompt and parses the
answer, `method` puts them together with the `model` ranking and `newsum.check`, `options` holds
the command-line options. Nothing here is imported until the method is used.
"""
