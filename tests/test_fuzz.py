"""The fuzz script, with a small count: generated inputs never end in a traceback."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "fuzz.py"


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("fuzz_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_200_generated_inputs_give_no_traceback(capsys):
    fuzz = _fuzz_module()
    assert fuzz.fuzz(200, seed=1, show=3) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "200 inputs" in out and " 0 with tracebacks" in out


def test_a_traceback_would_be_counted(monkeypatch, capsys):
    # The fuzzer itself must be able to fail: a reader that crashes is counted and shown.
    fuzz = _fuzz_module()
    from cleaners.readers import READERS

    def crash(text, source):
        raise KeyError("boom")

    monkeypatch.setattr(READERS["srt"], "read", crash)
    assert fuzz.fuzz(20, seed=1, show=1) > 0
    assert "KeyError: 'boom'" in capsys.readouterr().out
