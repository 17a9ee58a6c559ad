"""The state directory: layout, atomic writes, locks and resourceVersions.

Layout (modelled on etcd's /registry key space)::

    STATE/
      registry/<plural>/<namespace>/<name>.yaml   namespaced objects
      registry/<plural>/<name>.yaml               cluster-scoped objects
      resource-version                            the store's last resourceVersion (reserved in blocks)
      journal/changes                             one line per committed change (journal.py)
      locks/store.lock                            held by every writer
      locks/reconcile.lock                        held by a running reconcile
      audit.log                                   one JSON line per write or denial

Readers take no lock: every write is a temporary file, fsync, then rename.
"""
__all__ = ["Store", "StoreEvent"]


def __getattr__(name: str):
    # Loaded on first use: kubelite.store.journal and .cache are read by the quick check
    # of `kubelite reconcile` (kubelite.runtime.quiet), which must not load the store.
    if name in __all__:
        from kubelite.store import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
