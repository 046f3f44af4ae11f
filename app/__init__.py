"""Ponder: a desktop chat app for small local reasoning models."""

__version__ = "0.1.0"
