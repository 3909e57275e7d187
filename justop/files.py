"""Stored files follow their rows, in either store (local folders or an
object store), through the Storage API only.

- **Replaced or deleted**: when a row's file or image changes, or the row
  is deleted, its old objects (every rendition of an image) are deleted by
  a task once the transaction commits (``watch``, connected by
  justop/apps.py for every model with a file field, found generically so
  justop imports no feature app). An object another row still names (the
  same image uploaded twice has the same names) is kept.
- **Orphans**: objects no row names, from a cleanup that never ran (a lost
  task, a ``QuerySet.update``, a crash between storing and saving), are
  listed and removed by ``manage.py orphaned_files`` (``orphans``). Objects
  younger than ``MIN_AGE`` are left alone: an upload is stored before its
  row is committed.
- **Moving**: ``manage.py copy_files`` copies the local folders into the
  configured stores (``copy``), safe to run again.

docs/files.md tells operators the same.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.apps import apps
from django.core.files.storage import Storage, default_storage, storages
from django.db import models, transaction
from django.db.models.fields.files import FileField
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from justop import storage as stores
from justop.images import RenditionImageField, rendition_names
from justop.uploads import private_storage

log = logging.getLogger(__name__)

STORES = {stores.PUBLIC: "public", stores.PRIVATE: "private"}
# An upload is written to the store before its row is committed; a file
# younger than this may belong to a row about to exist.
MIN_AGE = timedelta(hours=1)


# --- Which fields hold files, and which objects a name stands for ---------------


def store_of(file_field: FileField) -> str | None:
    """The STORAGES alias of a field's storage, or None for another one."""
    if file_field.storage is default_storage:
        return stores.PUBLIC
    if file_field.storage is private_storage():
        return stores.PRIVATE
    return None


def file_fields(alias: str | None = None) -> list[FileField]:
    """Every concrete file field (images included) of every installed model
    that keeps its files in one of the two stores, or in the one given."""
    return [
        model_field
        for model in apps.get_models()
        for model_field in _fields_of(model)
        if alias is None or store_of(model_field) == alias
    ]


def objects_of(name: str, *, renditions: bool) -> list[str]:
    """The stored objects a field's name stands for."""
    if not name:
        return []
    return rendition_names(name) if renditions else [name]


def _names_in_use(alias: str, candidates: set[str]) -> set[str]:
    """Those of the names that a row of any model still holds."""
    held: set[str] = set()
    for file_field in file_fields(alias):
        rows = file_field.model._base_manager.filter(**{f"{file_field.attname}__in": candidates})
        held.update(rows.values_list(file_field.attname, flat=True))
    return held


def delete_unused(alias: str, names: list[str], *, renditions: bool) -> list[str]:
    """Delete the objects of these field names (all renditions of an image)
    unless a row still names them. Returns what was deleted: run twice, it
    deletes nothing the second time."""
    target = storages[alias]
    groups = {name: objects_of(name, renditions=renditions) for name in names if name}
    everything = set(groups) | {obj for objs in groups.values() for obj in objs}
    held = _names_in_use(alias, everything)
    deleted = []
    for name, objs in groups.items():
        if name in held:
            continue  # the same image uploaded again, or shared by another row
        for obj in objs:
            if obj not in held and target.exists(obj):
                target.delete(obj)
                deleted.append(obj)
    return deleted


# Deleting a missing object is no error, so a task run twice (acks_late)
# does no harm. Storage errors (a store that is briefly unreachable) are
# retried with backoff; what still fails, orphaned_files finds later.
@shared_task(
    name="justop.tasks.delete_files",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def delete_files(alias: str, names: list[str], renditions: bool = False) -> int:
    """Delete the objects of replaced or deleted files (justop.files) that
    no row names any more; returns how many went."""
    return len(delete_unused(alias, names, renditions=renditions))


# --- Watching rows -------------------------------------------------------------------


def _fields_of(model: type[models.Model]) -> list[FileField]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, FileField) and f.concrete and store_of(f) is not None
    ]


def _enqueue(alias: str, names: list[str], renditions: bool) -> None:
    # Enqueued on commit: a rolled-back change keeps its files. Robust, so
    # a broker that is down fails no request that has already committed;
    # what it leaves behind, orphaned_files finds.
    transaction.on_commit(
        lambda: delete_files.delay(alias, names, renditions),
        using=None,
        robust=True,
    )


def _forget(model_field: FileField, names: Iterable[str]) -> None:
    kept = sorted({n for n in names if n})
    alias = store_of(model_field)
    if kept and alias is not None:
        _enqueue(alias, kept, isinstance(model_field, RenditionImageField))


OLD_NAMES = "_justop_stored_names"


def remember_names(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Before a save: the names the row holds in the database now."""
    watched = _fields_of(sender)
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        watched = [f for f in watched if f.name in update_fields or f.attname in update_fields]
    if not watched or instance._state.adding or instance.pk is None:
        return
    stored = (
        sender._base_manager.using(kwargs.get("using"))
        .filter(pk=instance.pk)
        .values(*(f.attname for f in watched))
        .first()
    )
    if stored is not None:
        setattr(instance, OLD_NAMES, stored)


def forget_replaced(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """After a save: the names the row no longer holds go."""
    before: dict[str, str] | None = instance.__dict__.pop(OLD_NAMES, None)
    if not before:
        return
    for model_field in _fields_of(sender):
        old = before.get(model_field.attname)
        if old and old != (getattr(instance, model_field.attname).name or ""):
            _forget(model_field, [old])


def forget_deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    for model_field in _fields_of(sender):
        _forget(model_field, [getattr(instance, model_field.attname).name or ""])


def watch() -> None:
    """Connect the signals for every model with a file field in a store
    (justop/apps.py, once every app's models are loaded)."""
    for model in apps.get_models():
        if not _fields_of(model):
            continue
        uid = f"justop.files.{model._meta.label_lower}"
        pre_save.connect(remember_names, sender=model, dispatch_uid=f"{uid}.pre_save")
        post_save.connect(forget_replaced, sender=model, dispatch_uid=f"{uid}.post_save")
        post_delete.connect(forget_deleted, sender=model, dispatch_uid=f"{uid}.post_delete")


# --- Orphans -------------------------------------------------------------------------


def walk(target: Storage, directory: str = "") -> Iterator[str]:
    """Every object's name in a store, through listdir."""
    try:
        dirs, names = target.listdir(directory)
    except FileNotFoundError:  # a local folder not made yet: nothing stored
        return
    for name in names:
        yield posixpath.join(directory, name) if directory else name
    for sub in dirs:
        yield from walk(target, posixpath.join(directory, sub) if directory else sub)


def named_objects(alias: str) -> set[str]:
    """Every object of a store some row names (renditions included)."""
    named: set[str] = set()
    for model_field in file_fields(alias):
        renditions = isinstance(model_field, RenditionImageField)
        values = (
            model_field.model._base_manager.exclude(**{model_field.attname: ""})
            .exclude(**{f"{model_field.attname}__isnull": True})
            .values_list(model_field.attname, flat=True)
        )
        for name in values.iterator(chunk_size=2000):
            named.update(objects_of(name, renditions=renditions))
    return named


@dataclass
class Orphan:
    name: str
    size: int
    modified: datetime | None


@dataclass
class Orphans:
    alias: str
    found: list[Orphan] = field(default_factory=list)  # old enough to go
    young: list[Orphan] = field(default_factory=list)  # kept: maybe an upload in progress

    @property
    def bytes(self) -> int:
        return sum(o.size for o in self.found)


def _modified(target: Storage, name: str) -> datetime | None:
    try:
        return target.get_modified_time(name)
    except (NotImplementedError, OSError):
        return None


def orphans(alias: str, *, now: datetime | None = None) -> Orphans:
    """The objects of a store no row names. One whose age cannot be read
    counts as young: nothing is deleted on a guess."""
    target = storages[alias]
    named = named_objects(alias)
    cutoff = (now or timezone.now()) - MIN_AGE
    result = Orphans(alias)
    for name in walk(target):
        if name in named:
            continue
        modified = _modified(target, name)
        try:
            size = target.size(name)
        except (NotImplementedError, OSError):
            size = 0
        if modified is not None and timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        old_enough = modified is not None and modified < cutoff
        (result.found if old_enough else result.young).append(Orphan(name, size, modified))
    return result


def delete_orphans(found: Orphans) -> int:
    """Delete the orphans found, unless a row has come to name one since."""
    named = named_objects(found.alias)
    target = storages[found.alias]
    deleted = 0
    for orphan in found.found:
        if orphan.name not in named:
            target.delete(orphan.name)
            deleted += 1
    return deleted


# --- Copying between stores ---------------------------------------------------------


@dataclass
class Copied:
    copied: int = 0
    skipped: int = 0  # already there with the same size
    replaced: int = 0  # there with another size (a copy cut off before)
    bytes: int = 0


def copy(source: Storage, target: Storage, *, dry_run: bool = False) -> Copied:
    """Copy every object of ``source`` into ``target`` under the same name.
    An object already in the target with the same size is skipped, so a
    second run copies only what is new."""
    result = Copied()
    for name in walk(source):
        size = source.size(name)
        if target.exists(name):
            if target.size(name) == size:
                result.skipped += 1
                continue
            result.replaced += 1
            if not dry_run:
                target.delete(name)
        else:
            result.copied += 1
        result.bytes += size
        if dry_run:
            continue
        with source.open(name, "rb") as content:
            saved = target.save(name, content)
        if saved != name:
            # Written meanwhile under that name by someone else: keep theirs.
            target.delete(saved)
            log.warning("copy_files: %s appeared in the target while copying", name)
    return result
