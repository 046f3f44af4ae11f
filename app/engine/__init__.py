"""Inference backends. The only package that imports `llama_cpp`; no Qt."""
