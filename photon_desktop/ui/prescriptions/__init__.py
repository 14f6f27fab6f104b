"""Prescribing: the form, the Prescriptions page and what opens them.

``WRITE`` lives here, not with the form, so that what only checks the permission (the patient
page's buttons, the page's actions) does not import the form before it is first opened.
"""

#: The permission every prescription action needs (signed-in prescribers only).
WRITE = "write:prescription"
