"""What a failed catalog or template edit tells the user.

Photon documents no permission for editing catalogs and templates, so the app offers the edit to
everyone and lets Photon decide: a refusal reads as a permission message, not as a fault.
"""

from __future__ import annotations

from photon_desktop.errors import (
    PermissionMissing,
    PhotonError,
    SignInRequired,
    WriteOutcomeUnknown,
)


def failure_text(action: str, error: PhotonError) -> str:
    """``action`` is what was tried, e.g. "add Famotidine to the catalog". An unknown outcome is
    not called a failure: its message says the edit may have happened and where to check."""
    if isinstance(error, WriteOutcomeUnknown):
        return str(error)
    if isinstance(error, PermissionMissing):
        return f"Photon did not allow you to {action}. {error}"
    if isinstance(error, SignInRequired):
        return f"Could not {action}: {error}"
    return f"Could not {action}. {error}"
