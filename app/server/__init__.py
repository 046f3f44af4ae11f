"""Optional OpenAI-compatible API on 127.0.0.1."""
