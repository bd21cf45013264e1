"""`ansible-codegen serve`: the local model behind a small OpenAI-compatible HTTP API."""
