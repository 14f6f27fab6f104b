"""Asking the user without a nested event loop: ``QMessageBox.open()`` and await ``finished``
(``exec()`` inside a coroutine would starve every other task)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QMessageBox, QWidget


async def ask(box: QMessageBox) -> QMessageBox:
    """Show ``box`` and return it once answered (read ``clickedButton()``); it is deleted later."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def done(_result: int) -> None:
        if not future.done():
            future.set_result(None)

    box.finished.connect(done)
    box.open()
    try:
        await future
    finally:
        box.deleteLater()
    return box


async def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """Yes (``action``, destructive) or Cancel, Cancel being the default."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    await ask(box)
    return box.clickedButton() is yes
