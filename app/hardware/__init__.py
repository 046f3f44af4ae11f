"""Probe the machine and plan quantization, GPU layers and context. No Qt."""
