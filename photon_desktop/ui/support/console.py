"""The GraphQL console: write a query against Photon's schema (colours, completion, problems
underlined), run it with the current session, read the answer as a tree or JSON.

Nothing is sent until the schema accepts the document. A mutation asks first and names the
permission it needs; in Production mutations stay off unless switched on for this session (never
remembered). History and snippets are kept per environment without answers, string values or
unredacted variables (``services.console.history_entry``).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photon_desktop import errors
from photon_desktop.services import console
from photon_desktop.ui.common import preferences, tasks, theme
from photon_desktop.ui.common.questions import answer
from photon_desktop.ui.support.highlighter import GraphQLHighlighter
from photon_desktop.ui.workspace import Workspace

EXAMPLE = """query Patients($name: String) {
  patients(filter: {name: $name}, first: 5) {
    id
    name { full }
  }
}
"""


class QueryEditor(QPlainTextEdit):
    """A plain-text editor that offers schema completions (Ctrl+Space, or while typing a name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.completer = QCompleter(QStringListModel(self), self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.activated.connect(self.insert_completion)
        self._prefix = ""

    def complete(self) -> list[str]:
        """Show what may be typed at the cursor; the choices offered."""
        text = self.toPlainText()
        self._prefix, choices = console.completions(text, self.textCursor().position())
        model = self.completer.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(choices)
        popup = self._popup()
        if not choices:
            popup.hide()
            return choices
        self.completer.setCompletionPrefix("")
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        self.completer.complete(rect)
        return choices

    def insert_completion(self, word: str) -> None:
        cursor = self.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(self._prefix)
        )
        cursor.insertText(word)
        self.setTextCursor(cursor)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None
        return popup

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self._popup()
        if popup.isVisible() and event.key() in (
            Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Tab, Qt.Key.Key_Escape,
        ):  # fmt: skip
            event.ignore()  # the completer's popup takes them
            return
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() == Qt.Key.Key_Space:
            self.complete()
            return
        super().keyPressEvent(event)
        typed = event.text()
        if typed and (typed.isalnum() or typed == "_") and not ctrl:
            self.complete()
        elif popup.isVisible():
            popup.hide()


class ConsoleView(QWidget):
    """Editor | variables on the left, the answer (tree / JSON) on the right."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._run = tasks.Latest(owner=self)
        self._running = False
        self.last_answer: console.Answer | None = None

        self.editor = QueryEditor(self)
        self.editor.setAccessibleName("GraphQL query")
        self.editor.setPlainText(EXAMPLE)
        self.highlighter = GraphQLHighlighter(self.editor.document())
        self.variables = QPlainTextEdit(self)
        self.variables.setAccessibleName("Variables (JSON)")
        self.variables.setFont(self.editor.font())
        self.variables.setPlaceholderText('Variables as JSON, e.g. {"name": "smith"}')
        self.variables.setMaximumHeight(110)
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Query problems")

        self.history = QComboBox(self)
        self.history.setAccessibleName("History")
        self.history.setToolTip("Earlier runs in this environment (string values are not kept)")
        self.history.activated.connect(lambda i: self._load(self.history, i))
        self.snippets = QComboBox(self)
        self.snippets.setAccessibleName("Snippets")
        self.snippets.activated.connect(lambda i: self._load(self.snippets, i))
        self.save_snippet_button = QPushButton("Save as snippet", self)
        self.save_snippet_button.clicked.connect(self.save_snippet)
        self.allow_mutations = QCheckBox("Allow changes in Production for this session", self)
        self.allow_mutations.setToolTip("Mutations change real records; this is never remembered")
        self.run_button = QPushButton("Run", self)
        self.run_button.setAccessibleName("Run query")
        self.run_button.setToolTip("Run with the current session (Ctrl+Enter)")
        self.run_button.clicked.connect(self.run)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.run)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Run result")
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Field", "Value"])
        self.tree.setAccessibleName("Answer tree")
        self.json = QPlainTextEdit(self)
        self.json.setReadOnly(True)
        self.json.setFont(self.editor.font())
        self.json.setAccessibleName("Answer JSON")
        self.answer_tabs = QTabWidget(self)
        self.answer_tabs.addTab(self.tree, "Tree")
        self.answer_tabs.addTab(self.json, "JSON")

        top = QHBoxLayout()
        top.addWidget(QLabel("History", self))
        top.addWidget(self.history, 1)
        top.addWidget(QLabel("Snippets", self))
        top.addWidget(self.snippets, 1)
        top.addWidget(self.save_snippet_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.problems)
        left_layout.addWidget(QLabel("Variables", self))
        left_layout.addWidget(self.variables)
        buttons = QHBoxLayout()
        buttons.addWidget(self.allow_mutations)
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        left_layout.addLayout(buttons)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.status)
        right_layout.addWidget(self.answer_tabs, 1)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([560, 440])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(300)
        self._check_timer.timeout.connect(self.check)
        self.editor.textChanged.connect(self._check_timer.start)
        workspace.environment_changed.connect(self._on_environment)
        workspace.session_changed.connect(self._update_run)
        self._on_environment()

    # ------------------------------------------------------------------ environment

    @property
    def production(self) -> bool:
        return self._workspace.ready and self._workspace.environment.is_production

    def _env_key(self) -> str:
        return self._workspace.environment.key if self._workspace.ready else "none"

    def _on_environment(self) -> None:
        self.allow_mutations.setChecked(False)  # a session's choice never carries over
        self.allow_mutations.setVisible(self.production)
        self._fill_saved()
        self._update_run()

    def _update_run(self) -> None:
        ready = self._workspace.ready
        self.run_button.setEnabled(ready and not self._running)
        self.run_button.setToolTip(
            "Run with the current session (Ctrl+Enter)" if ready else "Not connected to Photon."
        )

    # ------------------------------------------------------------------ checking

    def check(self) -> list[console.Problem]:
        """Validate against the schema, underline problems; the problems found."""
        problems = console.validate(self.editor.toPlainText())
        self.highlighter.set_problems(problems)
        if problems:
            first = problems[0]
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            self._say(self.problems, f"Line {first.line}: {first.message}{more}", error=True)
        else:
            operation = console.describe(self.editor.toPlainText())
            text = (
                f"Changes records; needs {self._needed(operation)}."
                if operation.is_mutation
                else ""
            )
            self._say(self.problems, text)
        return problems

    def _needed(self, operation: console.Operation) -> str:
        """The permissions a mutation needs, each said granted or not to this session."""
        ready = self._workspace.ready

        def granted(permission: str) -> str:
            has = ready and self._workspace.session.has(permission)
            return "granted" if has else "NOT granted to this session"

        needs = [f"{p} ({granted(p)})" for p in operation.permissions]
        return "; ".join(needs) or "no documented permission beyond a valid token"

    # ------------------------------------------------------------------ running

    def run(self) -> None:
        if self._run.busy or not self._workspace.ready:
            return
        self._run.spawn(self._send(), name="support-console-run")

    async def _send(self) -> None:
        text = self.editor.toPlainText()
        if self.check():
            self._say(self.status, "Not sent: the query does not match Photon's schema.", True)
            return
        try:
            variables = console.parse_variables(self.variables.toPlainText())
        except errors.InvalidInput as error:
            self._say(self.status, str(error), error=True)
            return
        operation = console.describe(text)
        if operation.is_mutation and not await self._mutation_allowed(operation):
            return
        self._remember(preferences.console_history(self._env_key()), text, variables)
        self._running = True
        self.run_button.setEnabled(False)
        self._say(self.status, "Running…")
        try:
            answer = await self._workspace.services.console.run(text, variables)
        except errors.PermissionMissing as error:
            self._say(self.status, f"Permission missing: {error}", error=True)
            return
        except errors.PhotonError as error:
            self._say(self.status, f"Failed: {error}", error=True)
            return
        finally:
            self._running = False
            self._update_run()
        self.show_answer(answer)

    async def _mutation_allowed(self, operation: console.Operation) -> bool:
        fields = ", ".join(operation.fields)
        if self.production and not self.allow_mutations.isChecked():
            self._say(
                self.status,
                f"Not sent: {fields} changes records, and changes are off in Production. "
                "Switch on “Allow changes in Production for this session” to send it.",
                error=True,
            )
            return False
        needed = self._needed(operation)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Run a mutation?",
            f"{fields} changes records in {self._workspace.environment.name}.\n\n"
            f"Permission needed: {needed}.\n\nRun it?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setAccessibleName("Run a mutation?")
        run = box.addButton("Run mutation", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm_box: QMessageBox | None = box
        clicked = await answer(box)
        self.confirm_box = None
        if clicked is not run:
            self._say(self.status, "Not sent: cancelled.")
            return False
        return True

    def show_answer(self, answer: console.Answer) -> None:
        self.last_answer = answer
        whole: dict[str, Any] = {"data": answer.data}
        if answer.errors:
            whole["errors"] = list(answer.errors)
        self.json.setPlainText(json.dumps(whole, indent=2))
        self.tree.clear()
        _add_items(self.tree.invisibleRootItem(), whole)
        self.tree.expandToDepth(2)
        self.tree.resizeColumnToContents(0)
        if answer.permission is not None:
            self._say(self.status, f"Permission missing: {answer.permission}", error=True)
        elif answer.errors:
            first = answer.errors[0].get("message", "")
            self._say(self.status, f"Photon answered with {len(answer.errors)} error(s): {first}")
        else:
            self._say(self.status, "Done.")

    # ------------------------------------------------------------------ history and snippets

    def _remember(self, preference: preferences.Preference[list[str]], text: str, v: Any) -> None:
        entry = console.history_entry(text, v)
        items = [e for e in preference.get() if e != entry]
        items.insert(0, entry)
        preference.set(items[: preferences.CONSOLE_HISTORY_LIMIT])
        self._fill_saved()

    def save_snippet(self) -> None:
        try:
            variables = console.parse_variables(self.variables.toPlainText())
        except errors.InvalidInput as error:
            self._say(self.status, str(error), error=True)
            return
        self._remember(
            preferences.console_snippets(self._env_key()), self.editor.toPlainText(), variables
        )
        self._say(self.status, "Saved as a snippet (string values are not kept).")

    def _fill_saved(self) -> None:
        key = self._env_key()
        for box, preference in (
            (self.history, preferences.console_history(key)),
            (self.snippets, preferences.console_snippets(key)),
        ):
            box.clear()
            for raw in preference.get():
                try:
                    entry = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and isinstance(entry.get("query"), str):
                    title = " ".join(entry["query"].split())[:70]
                    box.addItem(title, entry)

    def _load(self, box: QComboBox, index: int) -> None:
        entry = box.itemData(index)
        if isinstance(entry, dict):
            self.editor.setPlainText(entry.get("query", ""))
            variables = entry.get("variables") or {}
            self.variables.setPlainText(json.dumps(variables, indent=2) if variables else "")

    # ------------------------------------------------------------------ helpers

    def _say(self, label: QLabel, text: str, error: bool = False) -> None:
        label.setText(text)
        theme.show_error(label, "color: {error};" if error else None)
        label.setAccessibleDescription(text)

    def restyle(self) -> None:
        self.highlighter.restyle()

    def cancel_tasks(self) -> None:
        self._run.cancel()


def _add_items(parent: QTreeWidgetItem, value: Any) -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        item = QTreeWidgetItem(parent, [str(key)])
        if isinstance(child, dict | list):
            size = len(child)
            fields = f"{{{size} field{'' if size == 1 else 's'}}}"
            item.setText(1, fields if isinstance(child, dict) else f"[{size}]")
            _add_items(item, child)
        else:
            item.setText(1, json.dumps(child))
