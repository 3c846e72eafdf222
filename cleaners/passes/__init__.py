"""Cleaning passes, one module per concern; :mod:`cleaners.pipeline` orders them."""
