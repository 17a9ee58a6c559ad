"""All printing: tables (rich on a terminal, plain aligned text otherwise), json, yaml, name,
jsonpath and custom-columns.

Imports nothing heavy at the top (click, rich, the table printers, jsonpath load where they
are used): the CLI's fast path (kubelite.cli.fast) prints name, json and yaml through Printer.
"""
from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from kubelite import lazy
from kubelite.api.kinds import Kind

printers = lazy.module("kubelite.cli.printers")  # tables only
from kubelite.errors import UsageError

if TYPE_CHECKING:
    import datetime as dt

LIST_META = {"resourceVersion": ""}


def as_list(items: list[dict]) -> dict:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": dict(LIST_META)}


def name_of(kind: Kind, obj: dict) -> str:
    return f"{kind.qualified}/{(obj.get('metadata') or {}).get('name', '')}"


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def dump_yaml(data: Any) -> str:
    from kubelite.api import yamlio

    return yamlio.dump(data)


def structured(fmt: str, objs: list[dict], single: bool) -> str:
    data: Any = objs[0] if single and len(objs) == 1 else as_list(objs)
    if fmt == "json":
        return dump_json(data)
    return dump_yaml(data)


def _jsonpath_template(fmt: str) -> str:
    t = fmt.split("=", 1)[1] if "=" in fmt else ""
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        t = t[1:-1]
    return t


def render_plain(rows: list[list[str]], out: TextIO) -> None:
    """kubectl's tabwriter: columns padded to width, three spaces apart."""
    if not rows:
        return
    widths = [0] * max(len(r) for r in rows)
    for r in rows:
        for i, c in enumerate(r[:-1]):
            widths[i] = max(widths[i], len(c))
    lines = []
    for r in rows:
        cells = [c.ljust(widths[i]) for i, c in enumerate(r[:-1])] + [r[-1]] if r else []
        lines.append("   ".join(cells).rstrip())
    out.write("\n".join(lines) + "\n")


def render_rich(headers: list[str] | None, rows: list[list[str]]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD if headers else None, show_header=bool(headers), pad_edge=False,
                  header_style="bold", padding=(0, 3, 0, 0), show_edge=False)
    ncols = len(headers) if headers else (len(rows[0]) if rows else 0)
    for i in range(ncols):
        table.add_column(headers[i] if headers else "", no_wrap=True, overflow="fold")
    for r in rows:
        table.add_row(*r)
    Console(highlight=False, soft_wrap=True).print(table)


class Printer:
    """Prints results as the -o flag says."""

    def __init__(self, output: str | None, no_headers: bool = False, show_labels: bool = False,
                 sort_by: str | None = None, all_namespaces: bool = False, now: dt.datetime | None = None,
                 out: TextIO | None = None, tty: bool | None = None):
        self.output = output or ""
        self.no_headers = no_headers
        self.show_labels = show_labels
        self.sort_by = sort_by
        self.all_namespaces = all_namespaces
        if now is None:  # tables show ages; the fast path prints no table and gives no time
            import datetime as dt

            now = dt.datetime.now(dt.timezone.utc)
        self.now = now
        self.out = out or sys.stdout
        self.tty = self.out.isatty() if tty is None else tty
        fmt = self.output
        base = fmt.split("=", 1)[0]
        if base not in ("", "json", "yaml", "name", "wide", "jsonpath", "custom-columns", "jsonpath-as-json"):
            raise UsageError(f"unable to match a printer suitable for the output format \"{fmt}\", allowed formats are: custom-columns,json,jsonpath,jsonpath-as-json,name,wide,yaml")

    @property
    def is_table(self) -> bool:
        return self.output in ("", "wide")

    def sort(self, objs: list[dict]) -> list[dict]:
        if not self.sort_by:
            return objs
        from kubelite.api import jsonpath

        expr = self.sort_by if self.sort_by.startswith("{") else "{" + self.sort_by + "}"

        def key(o: dict) -> tuple:
            try:
                v = jsonpath.evaluate(expr, o)
            except jsonpath.JSONPathError:
                v = ""
            try:
                from kubelite.api import quantity

                return (0, float(quantity.parse(v)), "") if v and v[0].isdigit() else (1, 0.0, v)
            except Exception:
                return (1, 0.0, v)

        return sorted(objs, key=key)

    def print_objects(self, groups: list[tuple[Kind, list[dict]]], single: bool = False, prefix_kind: bool = False) -> None:
        """Print objects grouped by kind (one group for `get pods`, several for `get all`)."""
        groups = [(k, self.sort(objs)) for k, objs in groups]
        base = self.output.split("=", 1)[0]
        flat = [o for _, objs in groups for o in objs]
        if base in ("json", "yaml"):
            self.out.write(structured(base, flat, single))
            return
        if base == "name":
            for k, objs in groups:
                for o in objs:
                    self.out.write(name_of(k, o) + "\n")
            return
        if base in ("jsonpath", "jsonpath-as-json"):
            from kubelite.api import jsonpath

            data: Any = flat[0] if single and len(flat) == 1 else as_list(flat)
            try:
                text = jsonpath.evaluate(_jsonpath_template(self.output), data, allow_missing=True)
            except jsonpath.JSONPathError as e:
                raise UsageError(f"error executing jsonpath {_jsonpath_template(self.output)!r}: {e}") from None
            self.out.write(text)
            if self.tty or base == "jsonpath-as-json":
                self.out.write("\n")
            return
        if base == "custom-columns":
            self._custom_columns(flat)
            return
        first = True
        for k, objs in groups:
            if not objs:
                continue
            if not first:
                self.out.write("\n")
            first = False
            self._table(k, objs, prefix_kind)

    def _custom_columns(self, objs: list[dict]) -> None:
        from kubelite.api import jsonpath

        spec = self.output.split("=", 1)[1] if "=" in self.output else ""
        cols = []
        for part in spec.split(","):
            if ":" not in part:
                raise UsageError(f"custom-columns format specified, but unable to parse column spec {part!r}; expected <header>:<json-path-expr>")
            h, p = part.split(":", 1)
            cols.append((h, p if p.startswith("{") else "{" + p + "}"))
        rows = [] if self.no_headers else [[h for h, _ in cols]]
        for o in objs:
            rows.append([jsonpath.evaluate(p, o) or "<none>" for _, p in cols])
        render_plain(rows, self.out)

    def _table(self, kind: Kind, objs: list[dict], prefix_kind: bool) -> None:
        headers, row, wide_headers, wide_row = printers.custom_table(kind) if kind.custom else printers.table_for(kind.kind)
        hdr = (["NAMESPACE"] if self.all_namespaces and kind.namespaced else []) + ["NAME"] + headers
        wide = self.output == "wide" and wide_row is not None
        if wide:
            hdr += wide_headers
        if self.show_labels:
            hdr.append("LABELS")
        if kind.kind == "Event":
            hdr = (["NAMESPACE"] if self.all_namespaces else []) + headers
        rows = []
        for o in objs:
            meta = o.get("metadata") or {}
            try:
                name = printers.display_name(o)
                if prefix_kind:
                    name = f"{kind.qualified}/{name}"
                cells = ([meta.get("namespace", "")] if self.all_namespaces and kind.namespaced else []) + [name]
                cells += row(o, self.now)
                if wide:
                    cells += wide_row(o, self.now)
                if self.show_labels:
                    cells.append(",".join(f"{k}={v}" for k, v in sorted((meta.get("labels") or {}).items())) or "<none>")
                if kind.kind == "Event":
                    cells = ([meta.get("namespace", "")] if self.all_namespaces else []) + row(o, self.now)
                cells = [str(c) for c in cells]
            except Exception as e:  # a hand-edited object of the wrong shape: skip it, say which
                where = f"{kind.plural}/{meta.get('namespace')}/{meta.get('name')}" if kind.namespaced else f"{kind.plural}/{meta.get('name')}"
                warn(f"Warning: skipping malformed object file registry/{where}.yaml: {type(e).__name__}: {e}")
                continue
            rows.append(cells)
        if self.tty:
            render_rich(None if self.no_headers else hdr, rows)
        else:
            render_plain(rows if self.no_headers else [hdr] + rows, self.out)


def echo(text: str = "") -> None:
    import click

    click.echo(text)


def warn(text: str) -> None:
    import click

    click.echo(text, err=True)
