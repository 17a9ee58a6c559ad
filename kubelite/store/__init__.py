"""The state directory: layout, atomic writes, locks and resourceVersions.

Layout (modelled on etcd's /registry key space)::

    STATE/
      registry/<plural>/<namespace>/<name>.yaml   namespaced objects
      registry/<plural>/<name>.yaml               cluster-scoped objects
      resource-version                            the store's last resourceVersion (reserved in blocks)
      locks/store.lock                            held by every writer
      locks/reconcile.lock                        held by a running reconcile
      audit.log                                   one JSON line per write or denial

Readers take no lock: every write is a temporary file, fsync, then rename.
"""
from kubelite.store.store import Store, StoreEvent

__all__ = ["Store", "StoreEvent"]
