"""What the platform must know of the apps, told by the apps themselves.

core sits below every domain app and may import none of them (import-linter
holds it to that). Where core runs something an app provides (a background
export, a clean-up of the app's old files), the app registers it here from its
AppConfig.ready(), as NetBox's registry does, and core looks it up by name.

Entries are dotted paths, imported when first used: registering happens while
the app registry is still loading, before models may be imported. This module
imports nothing from Django's models for the same reason.
"""

from django.core.exceptions import ImproperlyConfigured

# kind → dotted path of function(job, fileobj, progress) returning (row count, download name)
exporters: dict[str, str] = {}
# dotted paths of function(*, now) returning the number of files removed
purge_hooks: list[str] = []


def register_exporter(kind: str, path: str) -> None:
    """Name the function that writes the background export `kind` (ExportJob.kind).

    Registering the same path twice is harmless (ready() may run more than
    once in tests); two apps claiming one kind is a mistake caught at start-up.
    """
    if exporters.get(kind, path) != path:
        raise ImproperlyConfigured(f"export kind {kind!r} is already registered to {exporters[kind]}")
    exporters[kind] = path


def register_purge_hook(path: str) -> None:
    """Name a function the hourly clean-up (core.tasks.purge_expired_files)
    runs, for files an app keeps for a while and then deletes."""
    if path not in purge_hooks:
        purge_hooks.append(path)
