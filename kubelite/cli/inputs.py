"""Reading manifests from -f FILE|DIR|- and turning type/name arguments into references."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kubelite.api import kinds
from kubelite.api.kinds import Kind
from kubelite.errors import UsageError

if TYPE_CHECKING:  # read_documents imports it: parse_refs is on the CLI's fast path, which parses no YAML here
    from kubelite.api import yamlio

_EXTENSIONS = (".yaml", ".yml", ".json")


def _files(name: str, recursive: bool) -> list[Path]:
    p = Path(name)
    if p.is_dir():
        walker = p.rglob("*") if recursive else p.iterdir()
        return sorted(f for f in walker if f.is_file() and f.suffix in _EXTENSIONS)
    if not p.exists():
        raise UsageError(f'the path "{name}" does not exist')
    return [p]


def read_documents(filenames: tuple[str, ...], recursive: bool = False) -> list[yamlio.Document]:
    """Every document of every source, in order; one bad source stops everything."""
    from kubelite.api import yamlio

    if not filenames:
        raise UsageError("must specify one of -f and -k")
    docs: list[yamlio.Document] = []
    for name in filenames:
        if name == "-":
            data = sys.stdin.buffer.read()
            docs += yamlio.load_documents(data, "STDIN")
            continue
        if name.startswith(("http://", "https://")):
            raise UsageError(f'unable to read URL "{name}": kubelite works offline; download the file first')
        for f in _files(name, recursive):
            try:
                data = f.read_bytes()
            except OSError as e:
                raise UsageError(f'unable to read "{f}": {e.strerror}') from None
            docs += yamlio.load_documents(data, str(f))
    out = list(yamlio.iter_documents(docs))
    if not out:
        raise UsageError("no objects passed to apply" if filenames else "no objects")
    return out


class Ref(NamedTuple):
    """A type and the names given for it (none: every object of the type).

    A NamedTuple, not a dataclass: importing dataclasses costs about 5 ms, which the CLI's
    fast path (kubelite.cli.fast) cannot spare."""

    kind: Kind
    names: list[str]
    api_version: str = ""  # another served version the user named (`hpa.v1.autoscaling`); "": the stored one


def resolve_ref(word: str) -> tuple[Kind, str]:
    """A type word and the version it names: `horizontalpodautoscalers.v1.autoscaling` is the
    stored kind read as its other served version (kubelite.api.versions); "" for the stored one."""
    if word.count(".") >= 2:
        name, version, group = word.lower().split(".", 2)
        from kubelite.api import versions

        for api_version, kind_name in versions.OTHER_VERSIONS:
            if api_version == f"{group}/{version}":
                k = kinds.by_kind(kind_name)
                if name in (k.plural, k.singular, k.kind.lower(), *k.short_names):
                    return k, api_version
    return resolve(word), ""


def parse_refs(args: tuple[str, ...]) -> list[Ref]:
    """`pods`, `pods a b`, `pod/a deploy/b`, `pods,svc`, `all` -> references."""
    if not args:
        raise UsageError("You must specify the type of resource to get. Use \"kubelite api-resources\" for a complete list of supported resources.")
    if any("/" in a for a in args):
        refs: list[Ref] = []
        for a in args:
            if "/" not in a:
                raise UsageError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubelite get resource/<resource_name>' instead of 'kubelite get resource resource/<resource_name>'")
            t, n = a.split("/", 1)
            k, av = resolve_ref(t)
            if refs and refs[-1].kind == k and refs[-1].api_version == av:
                refs[-1].names.append(n)
            else:
                refs.append(Ref(k, [n], av))
        return refs
    types, names = args[0], list(args[1:])
    out = []
    for t in types.split(","):
        if not t:
            continue
        if t == "all":
            out += [Ref(k, list(names)) for k in kinds.all_category()]
            out += [Ref(k, list(names)) for k in _with_custom(kinds.custom_kinds) if "all" in k.categories]
        else:
            try:
                k, av = resolve_ref(t)
                out.append(Ref(k, list(names), av))
            except UsageError:
                members = [k for k in _with_custom(kinds.all_kinds) if t in k.categories]
                if not members:
                    raise
                out += [Ref(k, list(names)) for k in members]
    return out


def _with_custom(fn):
    """fn() once the state directory's custom kinds are known (opening its API server)."""
    from kubelite.cli.context import obj

    obj().api  # noqa: B018 - registers the directory's CRDs as the source of custom kinds
    return fn()


def resolve(word: str) -> Kind:
    """kinds.resolve, then the custom kinds of the state directory's CRDs."""
    try:
        return kinds.resolve(word)
    except UsageError:
        return _with_custom(lambda: kinds.resolve(word))


def duration_flag(text: str, flag: str) -> float:
    """A duration flag's value in seconds, or kubectl's (pflag's) message for a bad one."""
    from kubelite.clock import parse_duration

    seconds = parse_duration(text)
    if seconds is None:
        raise UsageError(f'invalid argument "{text}" for "{flag}" flag: time: invalid duration "{text}"')
    return seconds
