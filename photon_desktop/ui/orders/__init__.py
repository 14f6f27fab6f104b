"""Ordering: the Orders page, the new-order window, cancel and reroute, and what opens them.

``WRITE`` lives here, not with the new-order window, so that what only checks the permission (the
patient page's buttons, the shortcuts) does not import the window before it is first opened.
"""

#: The permission every order action needs.
WRITE = "write:order"
