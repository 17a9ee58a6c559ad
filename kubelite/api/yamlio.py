"""Reading and writing manifests: safe YAML in, plain-data YAML out.

Input is untrusted. Loading refuses, each with one clear line:
documents over the apiserver's 3 MiB request limit, duplicate keys,
alias bombs (aliases that expand far beyond the text), nesting too deep,
non-UTF-8 bytes and documents that are not mappings.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator, NamedTuple

from kubelite.errors import InputError

MAX_DOCUMENT_BYTES = 3 * 1024 * 1024  # the apiserver's request size limit
MAX_EXPANDED_NODES = 1_000_000
_ALIAS_RATIO = 10

_loader = None


MAX_DEPTH = 256  # nesting beyond any real manifest; refused before it costs deep recursion


_pure_loader = None


def _yaml_loader(pure: bool = False):
    """The safe loader (C parser when available); pure=True for libyaml's YAML 1.1 refusals."""
    global _loader, _pure_loader
    if pure:
        if _pure_loader is None:
            base = _yaml_loader()
            from ruamel.yaml import YAML

            y = YAML(typ="safe", pure=True)
            y.Constructor = base.Constructor
            y.allow_duplicate_keys = False
            y.max_depth = MAX_DEPTH
            _pure_loader = y
        return _pure_loader
    if _loader is None:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import SafeConstructor

        class Constructor(SafeConstructor):
            """Scalars as kubectl reads them (go-yaml v2): timestamps stay the text written,
            and an integer with a leading zero is octal (`defaultMode: 0644` is 420)."""

            def construct_yaml_int(self, node: Any) -> int:
                text = self.construct_scalar(node).replace("_", "")
                digits = text.lstrip("+-")
                if len(digits) > 1 and digits[0] == "0" and digits.isdigit() and "8" not in digits and "9" not in digits:
                    return (-1 if text.startswith("-") else 1) * int(digits, 8)
                return super().construct_yaml_int(node)

            def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
                return self.construct_scalar(node)

            def construct_yaml_value(self, node: Any) -> Any:
                # YAML 1.1's `=` (the "value" type) is a plain string to go-yaml, as in
                # Prometheus Operator's enum of match types: [ '!=', =, =~ ].
                return self.construct_scalar(node)

        Constructor.add_constructor("tag:yaml.org,2002:int", Constructor.construct_yaml_int)
        Constructor.add_constructor("tag:yaml.org,2002:timestamp", Constructor.construct_yaml_timestamp)
        Constructor.add_constructor("tag:yaml.org,2002:value", Constructor.construct_yaml_value)
        y = YAML(typ="safe", pure=False)
        y.Constructor = Constructor
        y.allow_duplicate_keys = False
        y.max_depth = MAX_DEPTH
        _loader = y
    return _loader


class Document(NamedTuple):
    """One manifest read from a source: the data plus where it came from.

    A NamedTuple, not a dataclass: importing dataclasses costs about 5 ms, which the CLI's
    fast path (kubelite.cli.fast) cannot spare."""

    source: str
    index: int  # 1-based document number within the source
    data: Any

    @property
    def where(self) -> str:
        return f'"{self.source}" (document {self.index})'


def _too_big(where: str, size: int) -> InputError:
    return InputError(
        f"{where}: Request entity too large: limit is {MAX_DOCUMENT_BYTES} bytes, document is {size} bytes"
    )


def _normalize(value: Any, where: str) -> Any:
    """Turn YAML-only scalars into JSON data and refuse alias bombs.

    Walks the loaded tree once, memoised by identity, so shared (aliased)
    nodes cost their size once; the expanded size is what JSON would hold.
    """
    sizes: dict[int, int] = {}
    unique = 0

    def walk(v: Any) -> tuple[Any, int]:
        nonlocal unique
        key = id(v)
        if isinstance(v, (dict, list)) and key in sizes:
            return v, sizes[key]
        unique += 1
        if isinstance(v, dict):
            total = 1
            out = {}
            for k, item in v.items():
                if not isinstance(k, str):
                    k = _scalar_key(k)
                elif not k.isascii():
                    k = _text(k, where)
                nv, n = walk(item)
                out[k] = nv
                total += n
            v.clear()
            v.update(out)
        elif isinstance(v, list):
            total = 1
            for i, item in enumerate(v):
                nv, n = walk(item)
                v[i] = nv
                total += n
        elif isinstance(v, str):
            return (v if v.isascii() else _text(v, where)), 1
        else:
            return _scalar(v), 1
        sizes[key] = total
        if total > MAX_EXPANDED_NODES or (total > 10_000 and total > _ALIAS_RATIO * unique):
            raise InputError(f"{where}: yaml: document contains excessive aliasing")
        return v, total

    try:
        return walk(value)[0]
    except RecursionError:
        raise InputError(f"{where}: yaml: exceeded max depth") from None


def _text(s: str, where: str) -> str:
    """Text as JSON reads it: a `\\ud83d\\ude00` escape pair (what json.dumps and jq -a write for
    characters beyond the BMP) is one character; a lone surrogate is refused, as no file,
    name or UTF-8 output can hold it."""
    if not any("\ud800" <= ch <= "\udfff" for ch in s):
        return s
    try:
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        lone = next(ord(c) for c in s if "\ud800" <= c <= "\udfff")
        raise InputError(f"{where}: invalid Unicode: a lone surrogate escape (\\u{lone:04x})") from None


def _scalar_key(k: Any) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    return str(_scalar(k))


def _scalar(v: Any) -> Any:
    if isinstance(v, _dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        import base64

        return base64.b64encode(v).decode()
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return str(v)
    return v


def _yaml_error_line(e: Exception) -> str:
    """ruamel's errors span several lines; keep the problem and its position."""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    mark = getattr(e, "problem_mark", None)
    if mark is not None:
        return f"yaml: line {mark.line + 1}: {problem}"
    return f"yaml: {problem}"


def load_documents(text: str | bytes, source: str) -> list[Document]:
    """Parse every YAML (or JSON) document of a source; empty documents are skipped."""
    if isinstance(text, bytes):
        if len(text) > MAX_DOCUMENT_BYTES * 4:
            raise _too_big(f'"{source}"', len(text))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f'"{source}": invalid UTF-8 at byte {e.start}: not a YAML or JSON manifest') from None
    if "\x00" in text:
        raise InputError(f'"{source}": contains a NUL byte: not a YAML or JSON manifest')
    chunks = _split_documents(text)
    docs: list[Document] = []
    for index, chunk in enumerate(chunks, start=1):
        where = f'"{source}" (document {index})'
        if len(chunk.encode("utf-8")) > MAX_DOCUMENT_BYTES:
            raise _too_big(where, len(chunk.encode("utf-8")))
        loader = _yaml_loader()
        loader.composer.depth = 0  # ruamel keeps the count of a document it refused
        try:
            try:
                data = loader.load(chunk)
            except Exception as e:
                # libyaml (the C parser) is YAML 1.1 and refuses some valid 1.2 text that
                # kubectl reads, such as `{image: app:1}`; the pure parser decides those.
                if type(e).__name__ not in ("ScannerError", "ParserError") or loader is _yaml_loader(pure=True):
                    raise
                loader = _yaml_loader(pure=True)
                loader.composer.depth = 0
                data = loader.load(chunk)
        except RecursionError:
            raise InputError(f"{where}: yaml: exceeded max depth") from None
        except Exception as e:  # ruamel raises many error classes
            if type(e).__name__ == "MaxDepthExceededError":
                raise InputError(f"{where}: yaml: exceeded max depth") from None
            if type(e).__name__ == "DuplicateKeyError":
                raise InputError(f"{where}: {_duplicate_key_line(e)}") from None
            raise InputError(f"{where}: {_yaml_error_line(e)}") from None
        if data is None:
            continue
        data = _normalize(data, where)
        docs.append(Document(source, index, data))
    return docs


def _duplicate_key_line(e: Exception) -> str:
    problem = getattr(e, "problem", "") or ""
    mark = getattr(e, "problem_mark", None)
    key = problem.split('"')[1] if problem.count('"') >= 2 else "?"
    line = f"line {mark.line + 1}: " if mark is not None else ""
    return f'yaml: {line}mapping key "{key}" already defined'


def _split_documents(text: str) -> list[str]:
    """Split a YAML stream on `---` lines, so one bad document names its index."""
    out: list[str] = []
    cur: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("---") and line[3:].strip() in ("",) or line.rstrip() == "---":
            out.append("".join(cur))
            cur = []
            continue
        if line.startswith("--- "):
            out.append("".join(cur))
            cur = [line[4:]]
            continue
        cur.append(line)
    out.append("".join(cur))
    # A leading `---` yields an empty first chunk; keep numbering by real documents.
    if out and not out[0].strip() and len(out) > 1:
        out = out[1:]
    return out


def iter_documents(docs: list[Document]) -> Iterator[Document]:
    """Expand lists (`kind: List`, `ConfigMapList`, ...) into their items, as kubectl does:
    it decodes any document with `items` as a list and applies each item."""
    for d in docs:
        kind = d.data.get("kind") if isinstance(d.data, dict) else None
        if isinstance(kind, str) and kind.endswith("List") and isinstance(d.data.get("items"), list):
            for item in d.data["items"]:
                yield Document(d.source, d.index, item)
        else:
            yield d


def dump(obj: Any) -> str:
    """Block-style YAML with sorted keys, as `kubectl get -o yaml` prints."""
    from kubelite.api.yamlemit import dump as fast_dump

    return fast_dump(obj)


def dump_all(objs: list[Any]) -> str:
    return "---\n".join(dump(o) for o in objs)


def load_one(text: str, source: str) -> Any:
    """Load a file that holds exactly one object (a store file)."""
    docs = load_documents(text, source)
    if len(docs) != 1:
        raise InputError(f'"{source}": expected one document, found {len(docs)}')
    return docs[0].data
