"""CLI commands that live beside the feature they wrap; :mod:`align.cli` registers them."""
