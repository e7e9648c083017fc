"""The README's data dictionary is the one tables.py renders (so it cannot drift)."""
from __future__ import annotations

from pathlib import Path

from transforms.dictionary import BEGIN, END, render

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_dictionary_is_current():
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    section = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert section == render().strip(), "run: python -m transforms.dictionary README.md"
