"""What a reader reads in a rendered report: its text, without the data's own values
(``translate="no"``: channel names, rejection reasons), the technical details kept in
English on purpose (``class="technical"``) and the style sheet; and the checks that catch
an untranslated word."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from leadpilot.reports.labels import CAVEATS, GAPS, LABELS, NOTICES, SEVERITY

ENGLISH_WORDS = {
    "the", "and", "with", "without", "from", "of", "by", "per", "not", "into", "than",
    "which", "that", "is", "are", "was", "were", "their", "its", "has", "have", "for", "to",
    "in", "at", "no", "cannot", "shown", "none",
}  # fmt: skip
FRENCH_WORDS = {
    "les", "des", "du", "de", "la", "le", "et", "pour", "sans", "sur", "avec", "aucun",
    "aucune", "dans", "est", "sont", "une", "un", "par", "au", "aux", "ces", "ses", "leur",
    "pas", "qui", "que", "être",
}  # fmt: skip
ACCENTS = re.compile(r"[éèêëàâçùûîïôœÉÈÀÇ]")
WORD = re.compile(r"[A-Za-zÀ-ÿœ]+")
# identifiers a rule names (scoring.model.threshold, days_to_mql_p75, `leadpilot score train`)
CODE = re.compile(r"`[^`]*`|\b\w+(?:[._]\w+)+\b")


class _Texts(HTMLParser):
    SKIP = {"style", "script", "title"}
    VOID = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its text skipped?
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        skip = (
            (self.stack[-1] if self.stack else False)
            or tag in self.SKIP
            or a.get("translate") == "no"
            or "technical" in (a.get("class") or "").split()
        )
        self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.texts.append(data.strip())


def reader_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def untranslated(html: str, lang: str, data_values: set[str] = frozenset()) -> list[str]:
    """The texts of a ``lang`` report that read as the other language: a label shown in
    the other language, or one of its function words (data values aside)."""
    problems = []
    texts = [CODE.sub("", t) for t in reader_texts(html) if t not in data_values]
    joined = "\n".join(texts)
    other = "en" if lang == "fr" else "fr"
    for table in (LABELS, GAPS, CAVEATS, SEVERITY, NOTICES):
        for key, text in table.items():
            wrong, right = text[other], text[lang]
            words = re.sub(r"\{[^}]*\}", "", wrong).strip()
            if wrong != right and len(words) > 3 and "{" not in wrong and wrong not in right:
                if re.search(rf"(?<![\w]){re.escape(wrong)}(?![\w])", joined):
                    problems.append(f"{key}: {wrong!r}")
    stop = ENGLISH_WORDS if lang == "fr" else FRENCH_WORDS
    for t in texts:
        tokens = {w.lower() for w in WORD.findall(t)}
        if tokens & stop:
            problems.append(f"{sorted(tokens & stop)} in {t!r}")
        if lang == "en" and ACCENTS.search(t):
            problems.append(f"accents in {t!r}")
    return problems
