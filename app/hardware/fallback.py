"""What to try when loading a model on the GPU fails (out of VRAM, driver trouble).

The policy is plain data so it can be tested without a GPU: first the layers
the plan asked for, then about half of them, then the CPU alone. Whoever
loads the model walks the list and tells the user why it moved on.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import ModelFileError


@dataclass(frozen=True)
class LoadAttempt:
    """One way to load a model.

    Attributes:
        n_gpu_layers: for LoadParams: -1 all layers, 0 CPU only, else a count.
        offloaded: layers on the GPU as a count (for messages), or None when
            "all" was asked and the model's layer count is unknown.
    """

    n_gpu_layers: int
    offloaded: int | None

    @property
    def is_cpu_only(self) -> bool:
        return self.n_gpu_layers == 0


def gpu_layer_attempts(requested: int, total_layers: int | None = None) -> tuple[LoadAttempt, ...]:
    """The loads to try, in order, for a plan that asked for `requested` GPU layers.

    Args:
        requested: n_gpu_layers of the plan or the settings (-1 all, 0 none).
        total_layers: offloadable layers of the model (block count + 1), if known.

    Returns:
        The requested load first, then about half the layers on the GPU (when
        that is a real step down), then the CPU alone. A CPU-only request
        gives just that one attempt.
    """
    if requested == 0:
        return (LoadAttempt(0, 0),)
    if requested < 0:
        full = total_layers if total_layers and total_layers > 0 else None
        first = LoadAttempt(-1, full)
    else:
        full = min(requested, total_layers) if total_layers and total_layers > 0 else requested
        first = LoadAttempt(requested, full)
    attempts = [first]
    if full is not None and full >= 2:
        attempts.append(LoadAttempt(full // 2, full // 2))
    attempts.append(LoadAttempt(0, 0))
    return tuple(attempts)


def should_retry_on_cpu(error: BaseException) -> bool:
    """Whether a failed load is worth retrying with fewer GPU layers.

    A file that is broken or missing stays broken on the CPU, so those errors
    end the attempts; anything else (memory, driver, backend) may be the GPU.
    """
    return not isinstance(error, (ModelFileError, FileNotFoundError))
