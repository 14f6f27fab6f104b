"""Asking the user from a coroutine without a nested event loop (``open()`` + await ``finished``).

``QDialog.exec()`` inside a coroutine starves every other task, so dialogs are opened
non-modally-blocking and their ``finished`` signal is awaited. The one home for questions:
``ask`` (yes or cancel), ``answer`` (a prepared box with its own buttons), ``tell`` (OK only).
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QAbstractButton, QDialog, QMessageBox, QWidget


async def finished(dialog: QDialog) -> int:
    """Open ``dialog`` (window-modal) and await its result code."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(done)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(done)


async def ask(
    parent: QWidget,
    title: str,
    text: str,
    action: str,
    *,
    cancel: str = "Cancel",
    destructive: bool = True,
) -> bool:
    """A yes/no question whose yes-button says what happens (``action``); Cancel is default."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    role = (
        QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    yes = box.addButton(action, role)
    no = box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setAccessibleName(title)
    return await answer(box) is yes


async def answer(box: QMessageBox) -> QAbstractButton | None:
    """Show a prepared ``box`` and return the button pressed (None: closed); the box is deleted
    later."""
    try:
        await finished(box)
        return box.clickedButton()
    finally:
        box.deleteLater()


async def tell(parent: QWidget, title: str, text: str) -> None:
    """A message with one OK button (e.g. why a write failed), awaited without ``exec()``."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName(title)
    try:
        await finished(box)
    finally:
        box.deleteLater()


def loop_running() -> bool:
    """True inside the app's event loop; False while the app shuts down (nobody to ask)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
