"""Work off the GUI thread: the engine worker that owns the model, and model tasks."""
