"""Shared fixtures: the bundled episode, and ../shared data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EPISODE = FIXTURES / "episode"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def episode_captions() -> Path:
    return EPISODE / "002_39f15ef3401b1368.txt"


@pytest.fixture(scope="session")
def cleaned_episode(episode_captions):
    from cleaners import clean_file

    return clean_file(episode_captions, speakers=["Dwarkesh Patel", "Dario Amodei"],
                      context=sorted(p for p in EPISODE.glob("0*.txt") if p.name != episode_captions.name))


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or skip the test when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is only beside development checkouts and CI)")
    return path
