"""Models: the catalog, installed models, downloads with resume and SHA-256, import.

The only package that imports ``huggingface_hub``; it uses it for URLs and
endpoints only and moves the bytes itself (see ``download.py``).
"""
