"""Word lists and glossaries shipped inside the wheel (read with importlib.resources)."""
