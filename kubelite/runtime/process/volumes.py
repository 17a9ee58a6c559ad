"""A process pod's volumes as real directories, reached through KUBELITE_VOLUME_<NAME>.

Path mapping (a process cannot have mounts of its own, so volumeMounts' mountPath is
not honoured; the variable says where the volume is):
  emptyDir                     STATE/pods/<uid>/volumes/<name>/, created with the pod, removed with it
  configMap, secret, projected,
  downwardAPI                  the same directory, holding one file per key (items, defaultMode and
                               mode as upstream; secret files are never readable by group or others);
                               rewritten when the source changes
  persistentVolumeClaim        the bound PersistentVolume's hostPath (or local) directory
  hostPath                     the path itself, on a node annotated kubelite.io/allow-host-path=true
"""
from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Callable

from kubelite.runtime.process import layout
from kubelite.runtime.process.env import ConfigError, field_value, resource_value, volume_variable

ALLOW_HOST_PATH = "kubelite.io/allow-host-path"


def _bytes(obj: dict | None, secret: bool) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    if obj is None:
        return out
    if secret:
        for k, v in (obj.get("data") or {}).items():
            out[k] = base64.b64decode(v or "")
        for k, v in (obj.get("stringData") or {}).items():
            out[k] = str(v).encode()
    else:
        for k, v in (obj.get("data") or {}).items():
            out[k] = str(v).encode()
        for k, v in (obj.get("binaryData") or {}).items():
            out[k] = base64.b64decode(v or "")
    return out


def _select(data: dict[str, bytes], src: dict, kind: str, name: str, default_mode: int, secret: bool) -> dict[str, tuple[bytes, int]]:
    """{relative path: (content, mode)} a configMap or secret source projects."""
    items = src.get("items")
    out: dict[str, tuple[bytes, int]] = {}
    mask = 0o700 if secret else 0o777
    if items:
        for it in items:
            key = it.get("key")
            if key not in data:
                if src.get("optional"):
                    continue
                raise ConfigError("CreateContainerConfigError",
                                  f'MountVolume.SetUp failed: configuration key "{key}" not found in {kind} "{name}"')
            out[it.get("path") or key] = (data[key], int(it.get("mode", default_mode)) & mask)
    else:
        for k, v in data.items():
            out[k] = (v, default_mode & mask)
    return out


def _sync_files(d: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Make directory d hold exactly these files: changed ones rewritten atomically, stale ones removed."""
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    for rel, (content, mode) in files.items():
        path = d / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ConfigError("CreateContainerConfigError", f"invalid volume item path {rel!r}")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            same = path.read_bytes() == content and (path.stat().st_mode & 0o777) == mode
        except OSError:
            same = False
        if not same:
            tmp = path.with_name(f".{path.name}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
    wanted = {d / rel for rel in files}
    for root, _, names in os.walk(d):
        for n in names:
            p = Path(root) / n
            if p not in wanted:
                p.unlink()


def prepare(root: Path, pod: dict, ctr: dict, node: dict, get: Callable[[str, str | None, str], dict | None],
            token: Callable[[str, int], str]) -> dict[str, str]:
    """Set up (or refresh) the pod's volumes; {KUBELITE_VOLUME_<NAME>: path}.
    `get(kind, namespace, name)` reads objects; `token(serviceaccount, seconds)` issues a token."""
    m, spec = pod["metadata"], pod.get("spec") or {}
    ns, uid = m.get("namespace"), m["uid"]
    out: dict[str, str] = {}
    for v in spec.get("volumes") or []:
        name = v.get("name", "")
        d = layout.volume_dir(root, uid, name)
        if "emptyDir" in v:
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        elif v.get("configMap") or v.get("secret"):
            secret = bool(v.get("secret"))
            src = v.get("secret") or v.get("configMap")
            ref = src.get("secretName" if secret else "name", "")
            kind = "Secret" if secret else "ConfigMap"
            obj = get(kind, ns, ref)
            if obj is None and not src.get("optional"):
                raise ConfigError("ContainerCreating",
                                  f'MountVolume.SetUp failed for volume "{name}" : {kind.lower()} "{ref}" not found')
            _sync_files(d, _select(_bytes(obj, secret), src, kind, ref, int(src.get("defaultMode", 0o644)), secret))
        elif v.get("projected") or v.get("downwardAPI"):
            src = v.get("projected") or {"sources": [{"downwardAPI": v["downwardAPI"]}],
                                         "defaultMode": v["downwardAPI"].get("defaultMode", 0o644)}
            mode = int(src.get("defaultMode", 0o644))
            files: dict[str, tuple[bytes, int]] = {}
            for s in src.get("sources") or []:
                if s.get("configMap") or s.get("secret"):
                    secret = bool(s.get("secret"))
                    ref_src = s.get("secret") or s.get("configMap")
                    kind = "Secret" if secret else "ConfigMap"
                    obj = get(kind, ns, ref_src.get("name", ""))
                    if obj is None and not ref_src.get("optional"):
                        raise ConfigError("ContainerCreating", f'MountVolume.SetUp failed for volume "{name}" : '
                                                               f'{kind.lower()} "{ref_src.get("name")}" not found')
                    files.update(_select(_bytes(obj, secret), ref_src, kind, ref_src.get("name", ""), mode, secret))
                elif s.get("downwardAPI"):
                    for it in s["downwardAPI"].get("items") or []:
                        if it.get("fieldRef"):
                            val = field_value(pod, it["fieldRef"].get("fieldPath", ""))
                        else:
                            val = resource_value(pod, ctr, it.get("resourceFieldRef") or {}, node)
                        files[it.get("path", "")] = (val.encode(), int(it.get("mode", mode)))
                elif s.get("serviceAccountToken"):
                    t = s["serviceAccountToken"]
                    path = d / t.get("path", "token")
                    content = path.read_bytes() if path.exists() else \
                        token(spec.get("serviceAccountName") or "default", int(t.get("expirationSeconds") or 3600)).encode()
                    files[t.get("path", "token")] = (content, mode & 0o700)
            _sync_files(d, files)
        elif v.get("persistentVolumeClaim"):
            claim = v["persistentVolumeClaim"].get("claimName", "")
            pvc = get("PersistentVolumeClaim", ns, claim)
            pv = get("PersistentVolume", None, (pvc or {}).get("spec", {}).get("volumeName") or "") if pvc else None
            pv_spec = (pv or {}).get("spec") or {}
            path = (pv_spec.get("hostPath") or pv_spec.get("local") or {}).get("path")
            if not path:
                raise ConfigError("ContainerCreating", f'persistentvolumeclaim "{claim}" is not bound to a hostPath or local volume')
            Path(path).mkdir(parents=True, exist_ok=True)
            d = Path(path)
        elif v.get("hostPath"):
            allowed = ((node.get("metadata") or {}).get("annotations") or {}).get(ALLOW_HOST_PATH) == "true"
            if not allowed:
                raise ConfigError("CreateContainerConfigError",
                                  f'hostPath volume "{name}" is not allowed on node "{node["metadata"]["name"]}" '
                                  f"(annotate it {ALLOW_HOST_PATH}=true to allow)")
            hp = v["hostPath"]
            d = Path(hp.get("path", ""))
            if hp.get("type") in ("DirectoryOrCreate",):
                d.mkdir(parents=True, exist_ok=True)
            elif hp.get("type") == "Directory" and not d.is_dir() or hp.get("type") == "File" and not d.is_file():
                raise ConfigError("ContainerCreating", f'MountVolume.SetUp failed for volume "{name}" : hostPath type check failed: '
                                                       f"{d} is not a {hp['type'].lower()}")
        else:
            kinds = [k for k in v if k != "name"]
            raise ConfigError("CreateContainerConfigError",
                              f'volume "{name}": {", ".join(kinds) or "this"} volumes are not supported by the process runtime')
        out[volume_variable(name)] = str(d)
    return out
