"""The bundled episode's cleaned output against the reviewed golden files.

When cleaning changes on purpose, run ``python scripts/update_golden.py`` and review
``git diff fixtures/golden`` like any other change.
"""

from __future__ import annotations

import pytest

from scripts.update_golden import GOLDEN, render

FILES = render()


@pytest.mark.parametrize("name", sorted(FILES))
def test_golden_file_matches(name):
    path = GOLDEN / name
    assert path.exists(), f"{name} missing: run python scripts/update_golden.py"
    expected = path.read_text(encoding="utf-8").splitlines()
    got = FILES[name].splitlines()
    # compare line by line so a failure shows the first differing line, not a wall of text
    for n, (a, b) in enumerate(zip(got, expected), 1):
        assert a == b, f"{name}:{n} differs (re-run scripts/update_golden.py if intended)"
    assert len(got) == len(expected), f"{name}: {len(got)} lines, golden has {len(expected)}"
