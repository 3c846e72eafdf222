"""One episode on disk: a folder with one caption file and its companion documents.

The files are found by sniffing: the caption file is the one a caption reader
recognises (or that has a caption extension such as ``.srt``); the other text
files (``.txt``, ``.md``) are companion documents. Where sniffing is not
enough, an optional ``episode.toml`` in the folder says what is what::

    captions = "captions.txt"            # the raw captions
    documents = ["summary.txt"]          # companion documents (default: the other text files)
    speakers = ["Host", "Guest"]         # names for the speaker turns, in order of first appearance
    glossary = ["names.tsv"]             # glossary files for the names pass
    level = "standard"                   # light | standard | clean
    format = "caption-page"              # caption format, when sniffing guesses wrong

    [languages]                          # a document's language, when it cannot be told from its text
    "summary.txt" = "en"

Every file an ``episode.toml`` names must lie inside the episode folder.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from cleaners.errors import InputError
from cleaners.pipeline import LEVELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as a package
    import tomli as tomllib

MANIFEST = "episode.toml"
# A file with one of these endings is the caption file without sniffing.
CAPTION_SUFFIXES = {".srt", ".vtt", ".json", ".json3", ".sbv"}
# Files that may be companion documents; anything else in the folder (images, PDFs) is ignored.
DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown"}
_KEYS = {"captions", "documents", "speakers", "glossary", "level", "format", "languages"}
# Sniffing looks at the start of a file only: enough for every reader, cheap for big documents.
_SNIFF_BYTES = 64_000


@dataclass
class Episode:
    """What to clean and align for one episode, with every path inside ``folder``."""

    folder: Path
    captions: Path
    documents: list[Path] = field(default_factory=list)
    speakers: list[str] | None = None
    glossary: list[Path] = field(default_factory=list)
    level: str | None = None
    format: str | None = None
    languages: dict[str, str] = field(default_factory=dict)  # document file name -> "en" | "zh" | ...


def read_episode(folder: str | Path) -> Episode:
    """Find the caption file and documents in ``folder``, honouring its ``episode.toml``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "is not a folder")
    manifest = _read_manifest(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST)
    glossary = [_inside(folder, g, "glossary") for g in _strings(manifest, "glossary", folder)]

    if "captions" in manifest:
        captions = _inside(folder, _string(manifest, "captions", folder), "captions")
    else:
        captions = _find_captions(folder, [f for f in files if f not in glossary])

    if "documents" in manifest:
        documents = [_inside(folder, d, "documents") for d in _strings(manifest, "documents", folder)]
    else:
        documents = [f for f in files if f.suffix.lower() in DOCUMENT_SUFFIXES and f != captions and f not in glossary]

    level = _string(manifest, "level", folder) if "level" in manifest else None
    if level is not None and level not in LEVELS:
        raise InputError(str(folder / MANIFEST), f"level {level!r} is not one of {', '.join(LEVELS)}")
    languages = manifest.get("languages", {})
    if not isinstance(languages, dict) or not all(isinstance(v, str) for v in languages.values()):
        raise InputError(str(folder / MANIFEST), "languages must be a table of file name = \"en\" | \"zh\"")
    return Episode(
        folder=folder,
        captions=captions,
        documents=documents,
        speakers=_strings(manifest, "speakers", folder) if "speakers" in manifest else None,
        glossary=glossary,
        level=level,
        format=_string(manifest, "format", folder) if "format" in manifest else None,
        languages=dict(languages),
    )


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError(str(path), f"is not valid TOML ({e})") from None
    unknown = set(manifest) - _KEYS
    if unknown:
        raise InputError(str(path), f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    return manifest


def _string(manifest: dict, key: str, folder: Path) -> str:
    value = manifest[key]
    if not isinstance(value, str):
        raise InputError(str(folder / MANIFEST), f"{key} must be a string")
    return value


def _strings(manifest: dict, key: str, folder: Path) -> list[str]:
    value = manifest.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(str(folder / MANIFEST), f"{key} must be a list of strings")
    return value


def _inside(folder: Path, name: str, key: str) -> Path:
    """``folder/name``, refusing names that lead out of the episode folder (``../``, absolute, symlinks)."""
    path = folder / name
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise InputError(str(folder / MANIFEST), f"{key}: {name!r} is outside the episode folder") from None
    if not path.is_file():
        raise InputError(str(folder / MANIFEST), f"{key}: {name!r} is not a file in the episode folder")
    return path


def _find_captions(folder: Path, files: list[Path]) -> Path:
    by_suffix = [f for f in files if f.suffix.lower() in CAPTION_SUFFIXES]
    found = by_suffix or [f for f in files if f.suffix.lower() in DOCUMENT_SUFFIXES and _sniffs_as_captions(f)]
    if len(found) == 1:
        return found[0]
    if not found:
        names = ", ".join(f.name for f in files) or "no files"
        raise InputError(str(folder), f"no caption file found (looked at {names}); name it in {MANIFEST}")
    names = ", ".join(f.name for f in found)
    raise InputError(str(folder), f"several caption files ({names}); name the one to clean in {MANIFEST}")


def _sniffs_as_captions(path: Path) -> bool:
    from cleaners.decode import decode
    from cleaners.readers import sniff_format

    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
    try:
        # A UTF-8 character cut at the end of the head decodes as cp1252 at worst: harmless for sniffing.
        sniff_format(decode(head)[0])
    except InputError:
        return False
    return True
