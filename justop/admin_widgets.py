"""Admin form widgets shared by every app's admin."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.widgets import AdminFileWidget
from django.db import models


class LabelledFileWidget(AdminFileWidget):
    """The admin's file input, named by the field's own label. Django's puts
    it in a fieldset named by a legend, which leaves the input itself unnamed
    while no file is set: screen readers announce an unlabelled control."""

    use_fieldset = False


# For ModelAdmin.formfield_overrides and inlines with file or image fields.
FILE_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.FileField: {"widget": LabelledFileWidget},
    models.ImageField: {"widget": LabelledFileWidget},
}
