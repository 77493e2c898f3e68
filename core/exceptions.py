"""Application exceptions every layer may raise or catch.

They live at the bottom so that the API's one exception handler (core.api) can
answer them without importing the app that raises them.
"""

from django.utils.translation import gettext as _


class EditConflict(Exception):
    """Someone else saved the record after this user opened it.

    Raised by a service that compares the version the clerk opened with the
    saved one; pages show the changes, the API answers 409 with them.
    """

    def __init__(self, current, changes, editors, seen=None, fields=()):
        self.current = current  # the record as saved now
        self.changes = changes  # FieldChange from the version the clerk opened to now
        self.editors = editors  # who saved in between, and when
        self.seen = seen  # the history record of the version the clerk opened (None if unknown)
        self.fields = list(fields)
        super().__init__(_("该记录已被他人修改，您的保存未生效。"))
