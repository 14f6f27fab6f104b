"""GraphQL colours for the console editor, and a wavy underline under each validation problem."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from photon_desktop.services.console import Problem
from photon_desktop.ui.common import theme

KEYWORDS = (
    "query", "mutation", "subscription", "fragment", "on", "true", "false", "null",
)  # fmt: skip


def _format(light: str, dark: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(dark if theme.is_dark() else light))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class GraphQLHighlighter(QSyntaxHighlighter):
    """Keywords, variables, argument names, strings, numbers and comments; problems underlined."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.problems: list[Problem] = []
        self._rules: list[tuple[re.Pattern[str], QTextCharFormat]] = []
        self.restyle()

    def restyle(self) -> None:
        """Colours for the current light/dark palette."""
        self._rules = [
            (
                re.compile(r"\b(" + "|".join(KEYWORDS) + r")\b"),
                _format("#8250df", "#d2a8ff", bold=True),
            ),
            (re.compile(r"\$[_A-Za-z][_0-9A-Za-z]*"), _format("#953800", "#ffa657")),
            (re.compile(r"[_A-Za-z][_0-9A-Za-z]*(?=\s*:)"), _format("#0550ae", "#79c0ff")),
            (re.compile(r"\b[A-Z][A-Z_]+\b"), _format("#116329", "#7ee787")),
            (re.compile(r"-?\b\d+(\.\d+)?\b"), _format("#0a3069", "#a5d6ff")),
            (re.compile(r'"(?:[^"\\]|\\.)*"'), _format("#0a3069", "#a5d6ff")),
            (re.compile(r"#.*$"), _format("#6e7781", "#8b949e", italic=True)),
        ]
        self.rehighlight()

    def set_problems(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
        line = self.currentBlock().blockNumber() + 1
        for problem in self.problems:
            if problem.line != line:
                continue
            start = max(0, problem.column - 1)
            for offset in range(start, min(len(text), start + problem.length) or start + 1):
                fmt = self.format(offset)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(QColor(theme.error_colour()))
                tint = QColor(theme.error_colour())
                tint.setAlpha(60)  # the wave alone is easy to miss on a thin monospace font
                fmt.setBackground(tint)
                fmt.setToolTip(problem.message)
                self.setFormat(offset, 1, fmt)
