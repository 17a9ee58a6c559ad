"""`kubelite get`: one or many objects, as tables or structured output."""
from __future__ import annotations

import click

from kubelite.api import selectors, versions
from kubelite.cli.context import global_options, obj, output_options, selector_options
from kubelite.cli.inputs import parse_refs
from kubelite.cli.output import Printer
from kubelite.errors import NotFound, UsageError
from kubelite.heap import no_cyclic_gc


def filter_objects(objs: list[dict], label_sel, field_sel) -> list[dict]:
    return [o for o in objs if label_sel.matches((o.get("metadata") or {}).get("labels")) and field_sel.matches(o)]


@click.command()
@click.argument("args", nargs=-1)
@output_options
@selector_options
@click.option("--ignore-not-found", is_flag=True, help="Treat \"resource not found\" as a successful retrieval.")
@click.option("-w", "--watch", is_flag=True, hidden=True)
@global_options
@no_cyclic_gc()  # a listing builds an object per file: at 100,000 pods the collector cost a third of it
def get(args, output, no_headers, show_labels, sort_by, selector, field_selector, all_namespaces, ignore_not_found, watch):
    """Display one or many resources.

    \b
    Examples:
      kubelite get pods -o wide
      kubelite get deploy web -o yaml
      kubelite get all -A
      kubelite get pods -l app=web --field-selector status.phase=Running
    """
    if watch:
        raise UsageError("--watch is not supported: kubelite has no server to stream from; use `kubelite wait`")
    c = obj()
    refs = parse_refs(args)
    label_sel = selectors.parse(selector)
    api = c.api
    printer = Printer(output, no_headers, show_labels, sort_by, all_namespaces, now=c.clock.now())
    is_all = len(refs) > 1 or (args and args[0] == "all") or any("," in a for a in args[:1])
    groups = []
    missing: list[NotFound] = []
    named = any(r.names for r in refs)
    for ref in refs:
        ns = None if all_namespaces else c.namespace
        field_sel = selectors.parse_fields(field_selector, ref.kind.plural)
        if ref.names:
            found = []
            for n in ref.names:
                o = api.try_get(ref.kind, ns or c.namespace, n)
                if o is None:
                    missing.append(NotFound(ref.kind.resource, n))
                else:
                    found.append(o)
            groups.append((ref.kind, found))
        elif output == "name" and not selector and not field_selector and not sort_by:
            # Names come from file names: no object file is read.
            groups.append((ref.kind, [{"metadata": {"name": n}} for _, n in api.list_names(ref.kind, ns)]))
        else:
            objs = api.list(ref.kind, ns)
            groups.append((ref.kind, filter_objects(objs, label_sel, field_sel)))
    if printer.output.split("=")[0] not in ("", "wide", "name"):  # objects as written out, in the version named
        groups = [(k, [versions.from_storage(o, ref.api_version) for o in objs]) if ref.api_version else (k, objs)
                  for ref, (k, objs) in zip(refs, groups)]
    single = len(refs) == 1 and len(refs[0].names) == 1
    if any(objs for _, objs in groups):
        printer.print_objects(groups, single=single and not missing, prefix_kind=bool(is_all and printer.is_table))
    elif not named and not missing:
        if printer.output.split("=")[0] in ("json", "yaml"):
            printer.print_objects(groups)
        else:
            where = "" if all_namespaces or not any(r.kind.namespaced for r in refs) else f" in {c.namespace} namespace"
            click.echo(f"No resources found{where}.", err=True)
    if missing and not ignore_not_found:
        from kubelite.cli.main import report

        for e in missing[:-1]:
            report(e)
        raise missing[-1]
