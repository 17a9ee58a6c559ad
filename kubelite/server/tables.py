"""Server-side tables (meta.k8s.io/v1 Table): the CLI's printer columns, so `kubectl get` prints
what it prints against a real cluster, `-o wide` included (wide columns have priority 1)."""
from __future__ import annotations

import datetime as dt

from kubelite.api.kinds import Kind
from kubelite.cli import printers


def wants_table(accept: str) -> bool:
    return "as=Table" in accept and "g=meta.k8s.io" in accept


def _partial(obj: dict) -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def table(kind: Kind, objs: list[dict], now: dt.datetime, rv: str = "", include: str = "PartialObjectMetadata") -> dict:
    if getattr(kind, "custom", False):  # a CRD's additionalPrinterColumns
        headers, row, wide_headers, wide_row = printers.custom_table(kind)
    else:
        headers, row, wide_headers, wide_row = printers.table_for(kind.kind)
    event = kind.kind == "Event"
    cols = ([] if event else [{"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0}])
    cols += [{"name": h, "type": "string", "format": "", "description": "", "priority": 0} for h in headers]
    if wide_row is not None:
        cols += [{"name": h, "type": "string", "format": "", "description": "", "priority": 1} for h in wide_headers]
    rows = []
    for o in objs:
        try:
            cells = ([] if event else [printers.display_name(o)]) + [str(c) for c in row(o, now)]
            if wide_row is not None:
                cells += [str(c) for c in wide_row(o, now)]
        except Exception:  # a hand-edited object of the wrong shape: shown by name only
            cells = [(o.get("metadata") or {}).get("name", "")] + ["<unknown>"] * (len(cols) - 1)
        r = {"cells": cells}
        if include == "Object":
            r["object"] = o
        elif include != "None":
            r["object"] = _partial(o)
        rows.append(r)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
            "columnDefinitions": cols, "rows": rows}
