"""Prompt building, reasoning (<think>) handling, answer extraction. No Qt."""
