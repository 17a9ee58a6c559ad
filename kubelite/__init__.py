"""kubelite: Kubernetes' control plane as a command-line tool over a directory.

The library carries all behaviour; the CLI (kubelite.cli) is a thin layer over it::

    from kubelite import APIServer
    api = APIServer.open(Path("~/.kubelite").expanduser())
    api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}})
"""
__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy, so `import kubelite` stays cheap for the CLI's start-up.
    if name == "APIServer":
        from kubelite.apiserver import APIServer

        return APIServer
    if name == "Store":
        from kubelite.store import Store

        return Store
    raise AttributeError(name)
