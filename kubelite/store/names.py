"""Object names from file names alone, for `get -o name`: no object file is opened.

Light on purpose (the standard library only): kubelite.cli.fast lists with it too.
"""
from __future__ import annotations

import os


def object_names(registry: str, plural: str, namespaced: bool, namespace: str | None = None) -> list[tuple[str | None, str]]:
    """(namespace, name) of each object file of a kind, in one namespace or all, in the
    order Store.list reads them: namespaces sorted, then file names sorted. Temporary
    files (a leading '.') are not objects."""
    base = registry + os.sep + plural
    if not namespaced:
        dirs = [(None, base)]
    elif namespace:
        dirs = [(namespace, base + os.sep + namespace)]
    else:
        try:
            with os.scandir(base) as it:
                dirs = sorted((e.name, e.path) for e in it if e.name[0] != "." and e.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            return []
    out: list[tuple[str | None, str]] = []
    for ns, d in dirs:
        try:
            with os.scandir(d) as it:
                files = sorted(e.name for e in it if e.name.endswith(".yaml") and e.name[0] != "." and e.is_file())
        except (FileNotFoundError, NotADirectoryError):
            continue
        out += [(ns, f[:-5]) for f in files]
    return out
