"""Texts a workspace gives in both report languages: Dutch and English."""

from __future__ import annotations

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
