"""Shared test helpers: fake servers, GGUF builders, fixtures support."""
