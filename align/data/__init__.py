"""Data files the aligner reads with importlib.resources (word lists)."""
