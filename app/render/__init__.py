"""Markdown, code and math to Qt-safe HTML. No Qt widgets."""
