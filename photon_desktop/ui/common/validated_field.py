"""One labelled input with its problem shown under it — the form field every form uses.

API (small on purpose)::

    field = ValidatedField("Phone", QLineEdit(), parent, max_length=20, check=phone_problem)
    field.value()          # stripped text (a combo: its current data as text, "" for none)
    field.set_value("…")   # fill it (a combo: select the item whose data matches)
    field.validate()       # run ``check(value)``; marks and returns the problem or None
    field.set_error(msg)   # mark a problem found elsewhere (the server's); None clears it
    field.error            # the problem shown, or None
    field.changed          # signal: the user edited it (its mark is cleared then)
    field.add_trailing(w)  # a widget beside the input, e.g. a secret's Show/Hide button

``ValidatedField[QLineEdit]`` types ``field.editor`` as the line edit it was given, so a form
can reach its own editor's methods (echo mode, clear button) without a cast.

A problem is shown three ways — red border, message under the input, and the input's accessible
description — so it is noticed with or without colour. Line edits are capped at ``max_length``
(a pasted 10,000-character name stops at the cap instead of stretching the window).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from photon_desktop.ui.common import theme

Check = Callable[[str], str | None]
Editor = TypeVar("Editor", QLineEdit, QComboBox)


class ValidatedField(QWidget, Generic[Editor]):
    changed = Signal()

    def __init__(
        self,
        label: str,
        editor: Editor,
        parent: QWidget | None = None,
        *,
        max_length: int | None = None,
        check: Check | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.editor: Editor = editor
        self._check = check
        editor.setParent(self)
        editor.setAccessibleName(label)
        editor.setMinimumWidth(200)
        editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if isinstance(editor, QLineEdit):
            if max_length is not None:
                editor.setMaxLength(max_length)
            if placeholder:
                editor.setPlaceholderText(placeholder)
            editor.textEdited.connect(self._on_edited)
        else:
            editor.currentIndexChanged.connect(self._on_edited)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(f"{label} problem")
        self.message.setVisible(False)
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(editor, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._row)
        layout.addWidget(self.message)
        self.error: str | None = None

    def add_trailing(self, widget: QWidget) -> None:
        """Put ``widget`` after the input on its row (the problem line stays under both)."""
        widget.setParent(self)
        self._row.addWidget(widget)

    def value(self) -> str:
        if isinstance(self.editor, QComboBox):
            data = self.editor.currentData()
            return "" if data is None else str(data)
        return self.editor.text().strip()

    def set_value(self, value: str | None) -> None:
        if isinstance(self.editor, QComboBox):
            self.editor.setCurrentIndex(max(0, self.editor.findData(value)))
        else:
            self.editor.setText(value or "")

    def validate(self) -> str | None:
        problem = self._check(self.value()) if self._check is not None else None
        self.set_error(problem)
        return problem

    def set_error(self, message: str | None) -> None:
        self.error = message
        self.editor.setProperty("invalid", bool(message))
        kind = "QComboBox" if isinstance(self.editor, QComboBox) else "QLineEdit"
        border = f"{kind} {{ border: 2px solid {{error}}; border-radius: 3px; padding: 1px; }}"
        theme.show_error(self.editor, border if message else None)
        self.message.setText(message or "")
        theme.show_error(self.message, "color: {error};" if message else None)
        self.message.setVisible(bool(message))
        self.editor.setAccessibleDescription(message or "")

    def _on_edited(self, *_args: object) -> None:
        if self.error is not None:
            self.set_error(None)
        self.changed.emit()
