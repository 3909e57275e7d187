"""Checks of uploaded files by their content, not their name."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from justop.storage import private_store

# SVG is left out on purpose: it can carry scripts.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


def validate_image(file: Any, *, max_bytes: int = 2 * 1024 * 1024, max_side: int = 4000) -> str:
    """Raise ValidationError unless the file is a still PNG, JPEG, WebP or GIF
    image within the limits. Returns the file extension its content calls for."""
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()  # reads the whole file: catches truncated or forged data
        file.seek(0)
        with Image.open(file) as image:
            frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image has too many pixels to open safely; the limit is %(side)s on each side.")
            % {"side": max_side},
            code="too_wide",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a PNG, JPEG, WebP or GIF file."),
            code="not_an_image",
        ) from None
    finally:
        file.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _(
                "This kind of image (%(format)s) is not accepted. "
                "Upload a PNG, JPEG, WebP or GIF file."
            )
            % {"format": image_format or "?"},
            code="format",
        )
    if max(width, height) > max_side:
        raise ValidationError(
            _("The image is %(width)s by %(height)s pixels; the limit is %(side)s on each side.")
            % {"width": width, "height": height, "side": max_side},
            code="too_wide",
        )
    if frames > 1:
        raise ValidationError(
            _("Animated images are not accepted. Upload a still PNG, JPEG, WebP or GIF image."),
            code="animated",
        )
    return IMAGE_FORMATS[image_format]


def server_name(directory: str, extension: str) -> str:
    """A name the server chooses: nothing of the uploader's file name is kept."""
    return f"{directory}/{uuid.uuid4().hex}.{extension}"


def private_storage() -> Storage:
    """The private store, ``STORAGES["private"]`` (justop/storage.py): the
    storage of research files, covers and forum materials. Model fields name
    this function, so migrations do not change with the backend."""
    return cast(Storage, private_store)
