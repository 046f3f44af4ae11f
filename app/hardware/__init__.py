"""Hardware check: probe CPU, RAM, GPUs and disk; plan quantization, GPU layers, context.

Runs headless and imports nothing from Ponder but ``app.core``. What the
installed llama.cpp build can do (GPU offload) is asked by the caller from
``app.engine.capabilities`` and passed in.
"""
