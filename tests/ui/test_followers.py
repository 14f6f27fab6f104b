"""A window's followers (``ui/common/followers.py``): each follower once however often it asks,
and no call into a follower once it is destroyed."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import SIGNAL, QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from photon_desktop.ui.common.followers import Followers


class Window(QObject):
    sent = Signal(object)


def _delete(widget: QWidget) -> None:
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(widget)


def test_a_follower_asking_again_is_called_once(qapp: QApplication) -> None:
    window, page, heard = Window(), QWidget(), []
    followers = Followers()
    assert followers.add(page, (window.sent, heard.append))
    assert not followers.add(page, (window.sent, heard.append))  # "Prescribe" pressed again
    window.sent.emit("order")
    assert heard == ["order"]
    page.deleteLater()


def test_a_destroyed_follower_is_not_called_and_a_new_one_is(qapp: QApplication) -> None:
    window, followers = Window(), Followers()
    heard: list[Any] = []
    page = QWidget()
    followers.add(page, (window.sent, lambda order: heard.append(("old", order))))
    _delete(page)
    assert not followers.follows(page)
    window.sent.emit(1)
    assert heard == []  # the lambda would have run for a page that no longer exists

    later = QWidget()  # may well reuse the deleted page's id()
    followers.add(later, (window.sent, lambda order: heard.append(("new", order))))
    window.sent.emit(2)
    assert heard == [("new", 2)]
    later.deleteLater()


def test_a_follower_outliving_the_window_is_harmless(qapp: QApplication) -> None:
    page, heard = QWidget(), []
    window = Window()
    followers = Followers()
    followers.add(page, (window.sent, heard.append))
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    _delete(page)  # its destroyed handler drops a connection whose sender is gone
    assert heard == []


def test_a_follower_outliving_its_windows_keeps_nothing_of_them(qapp: QApplication) -> None:
    """A page opens many forms over a day: each form gone leaves no connection on the page."""
    page = QWidget()

    def open_and_close() -> None:
        window = Window()
        Followers(window).add(page, (window.sent, lambda _order: None))
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    open_and_close()  # PySide keeps one receiver of its own once Python has connected
    watching = page.receivers(SIGNAL("destroyed(QObject*)"))
    for _ in range(3):
        open_and_close()
    assert page.receivers(SIGNAL("destroyed(QObject*)")) == watching
    _delete(page)
