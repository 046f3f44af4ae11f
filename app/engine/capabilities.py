"""What the installed llama.cpp build can do, for the hardware planner."""

from __future__ import annotations


def gpu_offload_supported() -> bool:
    """Whether this llama.cpp build can offload layers to a GPU (CUDA, Metal, Vulkan...).

    Returns False when llama_cpp cannot be imported at all, so a broken
    install plans for the CPU instead of crashing the hardware check.
    """
    try:
        import llama_cpp
    except (ImportError, OSError):
        return False
    try:
        return bool(llama_cpp.llama_supports_gpu_offload())
    except (AttributeError, OSError):
        return False
