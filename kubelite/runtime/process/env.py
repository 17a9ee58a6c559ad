"""A container's command line and environment, as the kubelet builds them: envFrom, then env
(value with $(VAR) expansion, valueFrom), then $(VAR) expansion of command and args."""
from __future__ import annotations

import base64
import os
import re
from typing import Callable

from kubelite.api import quantity

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
INHERITED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ")  # what a process needs from its host
_FIELD_ITEM = re.compile(r"^metadata\.(labels|annotations)\['(.*)'\]$")


class ConfigError(Exception):
    """A container that cannot be created: (reason, message) as its waiting state shows them."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


def expand(text: str, mapping: Callable[[str], str]) -> str:
    """Upstream's expansion.Expand: $(VAR) becomes the variable's value, $$ a literal $;
    an undefined variable or an unclosed $( stays as written."""
    out = []
    checkpoint = 0
    cursor = 0
    n = len(text)
    while cursor < n:
        if text[cursor] == "$" and cursor + 1 < n:
            out.append(text[checkpoint:cursor])
            nxt = text[cursor + 1]
            if nxt == "$":
                out.append("$")
                advance = 1
            elif nxt == "(":
                close = text.find(")", cursor + 2)
                if close >= 0:
                    out.append(mapping(text[cursor + 2:close]))
                    advance = close - cursor
                else:
                    out.append("$(")
                    advance = 1
            else:
                out.append("$" + nxt)
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def mapping_for(*contexts: dict) -> Callable[[str], str]:
    """Upstream's MappingFuncFor: the first context holding the name wins; else $(NAME) stays."""
    def lookup(name: str) -> str:
        for ctx in contexts:
            if name in ctx:
                return ctx[name]
        return f"$({name})"
    return lookup


def _data(obj: dict | None, secret: bool) -> dict[str, str]:
    if obj is None:
        return {}
    out: dict[str, str] = {}
    if secret:
        for k, v in (obj.get("data") or {}).items():
            out[k] = base64.b64decode(v or "").decode("utf-8", "replace")
        for k, v in (obj.get("stringData") or {}).items():
            out[k] = v
    else:
        for k, v in (obj.get("binaryData") or {}).items():
            out[k] = base64.b64decode(v or "").decode("utf-8", "replace")
        out.update(obj.get("data") or {})
    return out


def volume_variable(name: str) -> str:
    return "KUBELITE_VOLUME_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def field_value(pod: dict, path: str) -> str:
    """A fieldRef as the downward API resolves it."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    m = _FIELD_ITEM.match(path)
    if m:
        return str((meta.get(m.group(1)) or {}).get(m.group(2), ""))
    simple = {
        "metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"), "metadata.uid": meta.get("uid"),
        "spec.nodeName": spec.get("nodeName"), "spec.serviceAccountName": spec.get("serviceAccountName"),
        "status.hostIP": status.get("hostIP"), "status.podIP": status.get("podIP"),
        "status.hostIPs": ",".join(x.get("ip", "") for x in status.get("hostIPs") or []),
        "status.podIPs": ",".join(x.get("ip", "") for x in status.get("podIPs") or []),
    }
    if path not in simple:
        raise ConfigError("CreateContainerConfigError", f'unsupported fieldPath: {path}')
    return str(simple[path] or "")


def resource_value(pod: dict, ctr: dict, ref: dict, node: dict) -> str:
    """A resourceFieldRef: the container's limit (the node's allocatable when unset) or request,
    divided by the divisor and rounded up, as upstream's ExtractContainerResourceValue."""
    name = ref.get("containerName") or ctr["name"]
    spec = pod.get("spec") or {}
    target = next((x for x in (spec.get("containers") or []) + (spec.get("initContainers") or []) if x.get("name") == name), ctr)
    res = ref.get("resource", "")
    kind, _, rname = res.partition(".")
    resources = target.get("resources") or {}
    value = (resources.get(kind) or {}).get(rname)
    if value is None and kind == "limits":
        node_status = node.get("status") or {}
        value = (node_status.get("allocatable") or node_status.get("capacity") or {}).get(rname)
    if value is None:
        value = 0
    divisor = ref.get("divisor") or "1"
    try:
        if rname == "cpu":
            d = quantity.milli(divisor) or 1
            return str(-(-quantity.milli(value) // d))
        q, d = quantity.parse(value), quantity.parse(divisor) or 1
        f = q / d
        return str(-((-f.numerator) // f.denominator))
    except quantity.QuantityError as e:
        raise ConfigError("CreateContainerConfigError", f"invalid resourceFieldRef {res}: {e}") from None


def container_env(pod: dict, ctr: dict, node: dict, get: Callable[[str, str], dict | None],
                  extra: dict[str, str]) -> dict[str, str]:
    """The environment a container's process gets: a few host variables it needs to run
    (PATH, HOME...), HOSTNAME, `extra` (the KUBELITE_VOLUME_ variables), then envFrom and env."""
    ns = pod["metadata"].get("namespace")
    env: dict[str, str] = {k: os.environ[k] for k in INHERITED if k in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env["HOSTNAME"] = pod["metadata"]["name"]
    env.update(extra)
    declared: dict[str, str] = {}
    for ef in ctr.get("envFrom") or []:
        for kind, fld in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = ef.get(fld)
            if not ref:
                continue
            obj = get(kind, ref.get("name", ""))
            if obj is None and not ref.get("optional"):
                raise ConfigError("CreateContainerConfigError", f'{kind.lower()} "{ref.get("name")}" not found')
            for k, v in _data(obj, kind == "Secret").items():
                key = (ef.get("prefix") or "") + k
                if _ENV_NAME.match(key):
                    declared[key] = v
    for e in ctr.get("env") or []:
        name = e.get("name", "")
        vf = e.get("valueFrom")
        if not vf:
            declared[name] = expand(e.get("value") or "", mapping_for(declared, env))
            continue
        if vf.get("fieldRef"):
            declared[name] = field_value(pod, vf["fieldRef"].get("fieldPath", ""))
        elif vf.get("resourceFieldRef"):
            declared[name] = resource_value(pod, ctr, vf["resourceFieldRef"], node)
        else:
            for kind, fld in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = vf.get(fld)
                if not ref:
                    continue
                obj = get(kind, ref.get("name", ""))
                data = _data(obj, kind == "Secret")
                if ref.get("key") in data:
                    declared[name] = data[ref["key"]]
                elif not ref.get("optional"):
                    if obj is None:
                        raise ConfigError("CreateContainerConfigError", f'{kind.lower()} "{ref.get("name")}" not found')
                    raise ConfigError("CreateContainerConfigError",
                                      f"couldn't find key {ref.get('key')} in {kind} {ns}/{ref.get('name')}")
    env.update(declared)
    return env


def command_line(ctr: dict, env: dict[str, str]) -> list[str]:
    """command + args with $(VAR) expanded; a container without command cannot run here,
    since no image is pulled to supply an entrypoint."""
    command = ctr.get("command") or []
    if not command:
        raise ConfigError("RunContainerError",
                          f'container "{ctr["name"]}" has no command: the process runtime runs spec.containers[].command '
                          f"(and args); image {ctr.get('image', '')!r} is recorded, not pulled, so it supplies no entrypoint")
    mapping = mapping_for(env)
    return [expand(x, mapping) for x in command] + [expand(x, mapping) for x in ctr.get("args") or []]
