"""The HTTP service: a JSON API over the one summarize path, and a web page served with it.

`newsum.server.app.create_app()` builds the app; `newsum serve` runs it under uvicorn.
"""
