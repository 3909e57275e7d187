"""Uploaded images, made safe and light: re-encoded with Pillow, stored in a
few widths as WebP plus a JPEG (or PNG, with transparency) fallback.

An image is stored as a set of renditions named after a hash of the upload
and their own size, ``<directory>/<hash>-<width>x<height>.<ext>``, so a name
never changes content and may be cached forever. The model field keeps one
name, the largest fallback; every other name of the set follows from it
(``renditions``), so nothing else needs to be stored: smaller widths are
those of ``WIDTHS`` below the largest, and their heights are computed from
it by the same rule the resizing used.

Renditions are written through the field's storage with the Storage API
only (``save``, ``exists``, ``delete``, ``url``, ``open``): the public store
and the private one may be local folders or an object store.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageCms, ImageOps

from justop.uploads import validate_image

WIDTHS = (160, 480, 1200)
FALLBACKS = ("jpg", "png")
NAME = re.compile(
    r"^(?P<stem>(?:.+/)?[0-9a-f]{24})-(?P<width>\d+)x(?P<height>\d+)\.(?P<ext>jpg|png)$"
)


@dataclass(frozen=True)
class Rendition:
    """One width of an image, in both of its formats."""

    width: int
    height: int
    webp: str
    fallback: str


def _height_at(width: int, largest: tuple[int, int]) -> int:
    """The height of a smaller width, from the largest rendition's size (not
    the original's, which a name does not keep)."""
    return max(1, round(largest[1] * width / largest[0]))


def _widths_below(largest_width: int) -> list[int]:
    return [w for w in WIDTHS if w < largest_width] + [largest_width]


def renditions(name: str) -> list[Rendition]:
    """The renditions of a stored image, smallest first; none when the name
    is not one of ours (an image stored before re-encoding)."""
    match = NAME.match(name or "")
    if match is None:
        return []
    stem, ext = match["stem"], match["ext"]
    largest = (int(match["width"]), int(match["height"]))
    result = []
    for width in _widths_below(largest[0]):
        height = largest[1] if width == largest[0] else _height_at(width, largest)
        base = f"{stem}-{width}x{height}"
        result.append(Rendition(width, height, f"{base}.webp", f"{base}.{ext}"))
    return result


def rendition_names(name: str) -> list[str]:
    """Every stored object of this image: all widths, both formats. A name
    that is not a rendition (an older upload) stands for itself alone."""
    found = renditions(name)
    if not found:
        return [name] if name else []
    return [n for r in found for n in (r.webp, r.fallback)]


# --- Re-encoding ------------------------------------------------------------------

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_SIDE = 4000
WEBP_QUALITY = 80
JPEG_QUALITY = 82
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class ProcessedImage(ContentFile):  # type: ignore[type-arg]
    """An upload re-encoded, not yet stored: its renditions' names (relative
    to the field's directory) and bytes. The content is the largest fallback,
    so code that reads it as one file gets a sensible image."""

    def __init__(self, files: dict[str, bytes], main: str) -> None:
        super().__init__(files[main], name=main)
        self.files, self.main = files, main


def _pixels(image: Image.Image) -> Image.Image:
    """The image as a viewer sees it: orientation applied, colours in sRGB,
    in RGB or RGBA. No metadata survives (Image.info is left empty)."""
    icc = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert("RGBA" if has_alpha else "RGB")
            converted = ImageCms.profileToProfile(
                image,
                source,
                SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
            if converted is not None:  # None only when converting in place
                image = converted
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: the pixels as they are, read as sRGB
    image = image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "RGBA":
        low, _high = image.getchannel("A").getextrema()
        if low == 255:  # an alpha channel with nothing transparent
            image = image.convert("RGB")
    image.info = {}
    return image


def _encode(image: Image.Image, ext: str) -> bytes:
    out = io.BytesIO()
    if ext == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    elif ext == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def process(
    upload: Any, *, max_bytes: int = DEFAULT_MAX_BYTES, max_side: int = DEFAULT_MAX_SIDE
) -> ProcessedImage:
    """Check an upload (format, size, dimensions, animation) and re-encode it
    in every width. Raises ValidationError with a message for the uploader."""
    validate_image(upload, max_bytes=max_bytes, max_side=max_side)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    digest = hashlib.sha256(data).hexdigest()[:24]
    with Image.open(io.BytesIO(data)) as original:
        if original.format == "JPEG":
            # Decoded at 1/2, 1/4 or 1/8 when that still leaves the largest
            # width (either way round: orientation is applied after).
            original.draft(None, (WIDTHS[-1], WIDTHS[-1]))
        original.load()
        image = _pixels(original)
    fallback = "png" if image.mode == "RGBA" else "jpg"
    width, height = image.size
    largest = (min(width, WIDTHS[-1]), 0)
    largest = (largest[0], max(1, round(height * largest[0] / width)))
    files: dict[str, bytes] = {}
    main = ""
    for target in reversed(_widths_below(largest[0])):
        size = largest if target == largest[0] else (target, _height_at(target, largest))
        # Each width from the one above it: fewer pixels to read each time.
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        base = f"{digest}-{size[0]}x{size[1]}"
        files[f"{base}.webp"] = _encode(image, "webp")
        files[f"{base}.{fallback}"] = _encode(image, fallback)
        main = main or f"{base}.{fallback}"
    return ProcessedImage(files, main)


def processed(upload: Any, **limits: Any) -> Any:
    """A new upload re-encoded (for a form's clean_<field>); anything else
    (a file already stored, an image already processed, nothing) unchanged."""
    if upload and hasattr(upload, "content_type") and not isinstance(upload, ProcessedImage):
        return process(upload, **limits)
    return upload


def store(image: ProcessedImage, storage: Storage, directory: str) -> str:
    """Write every rendition into the storage; returns the name to keep.
    A name already there holds the same bytes (names come from the content),
    so it is left as it is."""
    prefix = f"{directory.strip('/')}/" if directory else ""
    for name, data in image.files.items():
        wanted = prefix + name
        if storage.exists(wanted):
            continue
        saved = storage.save(wanted, ContentFile(data))
        if saved != wanted:
            # Written at the same moment by another request: keep theirs.
            storage.delete(saved)
    return prefix + image.main


# --- The model field ---------------------------------------------------------------


class RenditionsFieldFile(ImageFieldFile):
    def save(self, name: str, content: Any, save: bool = True) -> None:
        field: RenditionImageField = self.field  # type: ignore[assignment]
        if not isinstance(content, ProcessedImage):
            content = process(content, max_bytes=field.max_bytes, max_side=field.max_side)
        self.name = store(content, self.storage, str(field.upload_to))
        setattr(self.instance, self.field.attname, self.name)
        self._committed = True
        if save:
            self.instance.save()

    save.alters_data = True  # type: ignore[attr-defined]

    def renditions(self) -> list[Rendition]:
        return renditions(self.name or "")


class RenditionsFormField(forms.FileField):
    """A file input whose upload is checked and re-encoded when the form is
    cleaned, so a refused image is a form error, never an error on save."""

    def __init__(self, *, max_bytes: int, max_side: int, **kwargs: Any) -> None:
        self.max_bytes, self.max_side = max_bytes, max_side
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        return processed(value, max_bytes=self.max_bytes, max_side=self.max_side)


class RenditionImageField(models.ImageField):
    """An image stored as renditions (see the module's docstring); upload_to
    is the directory. Width and height come from the name, not from columns."""

    attr_class = RenditionsFieldFile

    def __init__(
        self,
        *args: Any,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_side: int = DEFAULT_MAX_SIDE,
        **kwargs: Any,
    ) -> None:
        self.max_bytes, self.max_side = max_bytes, max_side
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.max_bytes != DEFAULT_MAX_BYTES:
            kwargs["max_bytes"] = self.max_bytes
        if self.max_side != DEFAULT_MAX_SIDE:
            kwargs["max_side"] = self.max_side
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{
                "form_class": RenditionsFormField,
                "max_bytes": self.max_bytes,
                "max_side": self.max_side,
                **kwargs,
            }
        )
