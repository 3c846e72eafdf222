"""The bundled example episode: a raw caption page and four documents written about it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CAPTIONS = "002_39f15ef3401b1368.txt"
DOCUMENTS = ("000_c18b72b857432089.txt", "001_0db1f2cac21dbbd5.txt", "003_78f1af295df5c35e.txt", "004_c6a541157cfccf78.txt")
SPEAKERS = ("Dwarkesh Patel", "Dario Amodei")


def folder() -> Path:
    """Where the episode's files are: inside the installed wheel, or ``fixtures/episode`` in a checkout."""
    packaged = Path(str(resources.files("align"))) / "example"
    if (packaged / CAPTIONS).exists():
        return packaged
    return Path(__file__).resolve().parent.parent / "fixtures" / "episode"


def captions() -> Path:
    return folder() / CAPTIONS


def documents() -> list[Path]:
    return [folder() / d for d in DOCUMENTS]
