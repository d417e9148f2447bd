"""Two languages: Simplified Chinese first, English on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
DEFAULT_LANG: Lang = "zh"


@dataclass(frozen=True)
class Text:
    """A message in both languages."""

    zh: str
    en: str

    def render(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.zh

    def format(self, **values: object) -> Text:
        """Fill the placeholders; a value that is itself a Text gives each language its own."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))


def negotiate(accept_language: str | None, query_lang: str | None = None) -> Lang:
    """Pick zh or en from a `lang` parameter or an Accept-Language header (zh by default)."""
    if query_lang:
        lowered = query_lang.lower()
        if lowered.startswith("en"):
            return "en"
        if lowered.startswith("zh"):
            return "zh"
    if not accept_language:
        return DEFAULT_LANG
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang: Lang | None = "en" if tag.startswith("en") else "zh" if tag.startswith("zh") else None
        if lang is None or quality <= 0:
            continue
        candidate = (quality, -position, lang)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else DEFAULT_LANG
