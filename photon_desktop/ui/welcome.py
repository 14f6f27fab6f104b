"""First launch with nothing configured: try the bundled sandbox, or connect to a Photon tenant.

The page only offers the two ways in; the composition root decides what each one does
(start the local sandbox and sign in with its demo credentials, or open the settings pane).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class _Choice(QFrame):
    """One card: a title, a sentence about what happens, and the button that does it."""

    def __init__(self, title: str, body: str, button: QPushButton, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeChoice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        heading = QLabel(title, self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        heading.setFont(font)
        self.text = text = QLabel(body, self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setMinimumWidth(240)
        text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addStretch(1)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Wrapped labels in nested layouts get their one-line height; give them their real one.
        super().resizeEvent(event)
        self.text.setMinimumHeight(self.text.heightForWidth(self.text.width()))


class WelcomePage(QWidget):
    """Shown on first launch; emits ``try_sandbox`` or ``connect_photon``."""

    try_sandbox = Signal()
    connect_photon = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Welcome to Photon Desktop")

        title = QLabel("Welcome to Photon Desktop", self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName("Welcome to Photon Desktop")
        subtitle = QLabel(
            "Nothing is set up yet. Explore the app with demo data, or connect your "
            "organization's Photon account.",
            self,
        )
        subtitle.setWordWrap(True)

        self.sandbox_button = QPushButton("Try the local sandbox", self)
        self.sandbox_button.setAccessibleName("Try the local sandbox")
        self.sandbox_button.setAccessibleDescription(
            "Starts a local Photon sandbox with demo patients; no account needed"
        )
        self.sandbox_button.setDefault(True)
        self.sandbox_button.clicked.connect(self.try_sandbox)

        self.connect_button = QPushButton("Connect to Photon…", self)
        self.connect_button.setAccessibleName("Connect to Photon")
        self.connect_button.setAccessibleDescription(
            "Opens the settings to enter your organization's Photon credentials"
        )
        self.connect_button.clicked.connect(self.connect_photon)

        sandbox = _Choice(
            "Try the local sandbox",
            "Demo patients, prescriptions and orders on this computer. No account, no internet, "
            "nothing leaves your machine. Nothing you do here reaches a real pharmacy.",
            self.sandbox_button,
            self,
        )
        photon = _Choice(
            "Connect to Photon",
            "Use your organization's Photon Sandbox or Production account. You need the client ID "
            "and secret from the Photon dashboard, or sign in as a prescriber.",
            self.connect_button,
            self,
        )
        cards = QHBoxLayout()
        cards.setSpacing(16)
        cards.addWidget(sandbox, 1)
        cards.addWidget(photon, 1)

        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(8)
        column.addLayout(cards)

        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(760)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 32, 32, 32)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder, 20)
        row.addStretch(1)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.sandbox_button, self.connect_button)
