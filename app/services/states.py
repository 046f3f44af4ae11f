"""Conversation states on disk: where they live, their budget, their space, clearing.

A local model keeps each conversation's KV state after every reply (see
app.engine.kv_state) so that going back to a conversation, or reopening it
after a restart, evaluates only what changed. This module is the one place
front ends use for that: the folder in the data folder, the disk budget from
the settings, the key of a stored conversation, the space used, "clear", and
removing the states of conversations that no longer exist.
"""

from __future__ import annotations

from pathlib import Path

from app.core import paths
from app.engine.kv_files import remove_all_but, remove_states, used_bytes
from app.store import ChatStore
from app.store.settings import Settings

STATES_FOLDER = "states"
MB = 1_000_000
KV_BYTES_PER_TOKEN_R1_1_5B = 28 * 1024
"""KV cache bytes per token of the 1.5B R1 model at f16 (28 layers, 2 KV heads of 128)."""


def states_folder() -> Path:
    """The folder of the saved conversation states (in the data folder)."""
    return paths.data_dir() / STATES_FOLDER


def conversation_key(conversation_id: int) -> str:
    """The key a stored conversation's state is kept under."""
    return str(conversation_id)


def budget_bytes(settings: Settings) -> int:
    """The disk budget the settings give the states (0 turns saving to disk off)."""
    return max(0, settings.state_budget_mb) * MB


def attach_states(backend: object, settings: Settings, folder: Path | None = None) -> bool:
    """Let a local model keep conversation states on disk; False for other backends."""
    memory = getattr(backend, "memory", None)
    use_folder = getattr(memory, "use_folder", None)
    if use_folder is None or budget_bytes(settings) == 0:
        return False
    use_folder(folder or states_folder(), budget_bytes(settings))
    return True


def space_used(folder: Path | None = None) -> int:
    """Bytes the saved states take on disk."""
    return used_bytes(folder or states_folder())


def clear_states(folder: Path | None = None) -> int:
    """Remove every saved state; returns the bytes freed.

    A model that is loaded keeps its in-memory states; they are written again
    after their conversation's next reply.
    """
    return remove_states(folder or states_folder())


def forget_deleted(store: ChatStore, folder: Path | None = None) -> int:
    """Remove the states of conversations that are deleted or gone; returns bytes freed."""
    live = [conversation_key(c.id) for c in store.list_conversations()]
    return remove_all_but(folder or states_folder(), live)


def state_cost_text(kv_bytes_per_token: int = KV_BYTES_PER_TOKEN_R1_1_5B) -> str:
    """One sentence on what a saved state costs (for the settings and the Models page)."""
    per_1k = kv_bytes_per_token * 1000 / MB
    return (f"Each conversation's saved state takes about {per_1k:.0f} MB per 1,000 tokens "
            "for the 1.5B model (its KV cache at f16); the oldest states are removed first "
            "when the budget is full.")
