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
