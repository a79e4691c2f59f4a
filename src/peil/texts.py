"""Texts a workspace gives in both report languages (Dutch and English), and English texts for the terminal."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

Language = Literal["nl", "en"]


class Translated(BaseModel):
    """A text in Dutch and English; the report shows the one in the workspace language."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    nl: str
    en: str

    def get(self, language: Language) -> str:
        return self.nl if language == "nl" else self.en


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with its noun in English, singular or plural, thousands grouped: '1 snapshot', '1,204 rows'.
    `plural` defaults to the noun with an s."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def condensed(notes: list[str]) -> list[str]:
    """The notes with those alike (the same text but for numbers and quoted names) given once, counting the rest:
    a sheet with a thousand columns named '2014' gives a thousand warnings of renamed columns, one line here."""
    alike: dict[str, list[str]] = {}
    for note in notes:
        alike.setdefault(re.sub(r"'[^']*'|[0-9]+", "#", note), []).append(note)
    return [group[0] + (f" (and {len(group) - 1} more like it)" if len(group) > 1 else "") for group in alike.values()]
