"""Contexts: names for state directories, kept in $KUBELITE_CONFIG or ~/.config/kubelite/config.yaml.

The file is kubeconfig-shaped, never inside a state directory:

    apiVersion: v1
    kind: Config
    current-context: host
    contexts:
    - name: host
      context:
        state-dir: /home/me/fed/host

`--context NAME` (or $KUBELITE_CONTEXT) picks a context's directory; without
--state-dir or $KUBELITE_STATE_DIR, the current context's directory is the default
(before ~/.kubelite).
"""
from __future__ import annotations

import os
from pathlib import Path

from kubelite.errors import UsageError


def config_path() -> Path:
    env = os.environ.get("KUBELITE_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path("~/.config/kubelite/config.yaml").expanduser()


def load() -> dict:
    """The config as a dict with `contexts` (a list) and maybe `current-context`."""
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"apiVersion": "v1", "kind": "Config", "contexts": []}
    except OSError as e:
        raise UsageError(f"error loading config file \"{path}\": {e.strerror}") from None
    from kubelite.api import yamlio
    from kubelite.errors import KubeliteError

    try:
        data = yamlio.load_one(text, str(path)) if text.strip() else {}
    except KubeliteError as e:
        raise UsageError(f"error loading config file \"{path}\": {e.message}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("contexts", []) or [], list):
        raise UsageError(f"error loading config file \"{path}\": not a kubelite config (expected contexts: [...])")
    data.setdefault("apiVersion", "v1")
    data.setdefault("kind", "Config")
    data["contexts"] = [c for c in data.get("contexts") or [] if isinstance(c, dict) and c.get("name")]
    return data


def save(data: dict) -> Path:
    """Write the config atomically (0600, its directory 0700)."""
    from kubelite.api import yamlio

    path = config_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(yamlio.dump(data))
        os.replace(tmp, path)
    except OSError as e:
        raise UsageError(f"cannot write config file \"{path}\": {e.strerror}") from None
    return path


def find(data: dict, name: str) -> dict | None:
    return next((c for c in data.get("contexts") or [] if c.get("name") == name), None)


def _dir_of(entry: dict) -> Path | None:
    d = (entry.get("context") or {}).get("state-dir")
    return Path(d).expanduser() if d else None


def state_dir_for(name: str) -> Path | None:
    """The state directory of context NAME (`--context NAME` / $KUBELITE_CONTEXT)."""
    entry = find(load(), name)
    if entry is None:
        raise UsageError(f'context "{name}" does not exist')
    d = _dir_of(entry)
    if d is None:
        raise UsageError(f'context "{name}" has no state-dir')
    return d


def current_state_dir() -> Path | None:
    """The current context's state directory, or None when there is none."""
    data = load()
    name = data.get("current-context")
    if not name:
        return None
    entry = find(data, name)
    if entry is None:
        raise UsageError(f'current-context "{name}" does not exist in {config_path()}')
    return _dir_of(entry)
