"""`kubelite delete`: by name, file, label selector or --all, with upstream's cascade modes."""
from __future__ import annotations

import click

from kubelite.api import selectors
from kubelite.apiserver import Source
from kubelite.cli.context import file_options, global_options, obj
from kubelite.cli.inputs import parse_refs, read_documents
from kubelite.cli.output import name_of
from kubelite.errors import NotFound, UsageError

_CASCADE = {"true": "background", "background": "background", "foreground": "foreground", "orphan": "orphan", "false": "orphan"}


@click.command()
@click.argument("args", nargs=-1)
@file_options
@click.option("-l", "--selector", default=None, help="Selector (label query) to filter on.")
@click.option("--field-selector", default=None)
@click.option("--all", "all_", is_flag=True, help="Delete all resources of the given types in the namespace.")
@click.option("-A", "--all-namespaces", is_flag=True)
@click.option("--cascade", default="background", help='"background", "foreground" or "orphan".')
@click.option("--ignore-not-found", is_flag=True)
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@click.option("--wait", type=click.BOOL, default=True, is_flag=False, flag_value="true", hidden=True,
              help="Accepted for kubectl compatibility: deletions here complete at once.")
@click.option("--grace-period", type=int, default=-1, hidden=True)
@click.option("--force", is_flag=True, hidden=True)
@click.option("-o", "--output", default=None, help="Output format: name.")
@global_options
def delete(args, filenames, recursive, selector, field_selector, all_, all_namespaces, cascade, ignore_not_found,
           dry_run, wait, grace_period, force, output):
    """Delete resources by file names, stdin, resources and names, or by resources and label selector.

    --cascade=background (default) deletes the object now and its dependents
    afterwards; foreground waits for dependents first; orphan leaves them.

    \b
    Examples:
      kubelite delete deploy web
      kubelite delete -f web.yaml
      kubelite delete pods -l app=web
    """
    c = obj()
    if cascade not in _CASCADE:
        raise UsageError(f'invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan".')
    propagation = _CASCADE[cascade]
    from kubelite.cli.apply import _dry_run_mode

    dry = _dry_run_mode(dry_run)
    api = c.api
    targets: list[tuple] = []  # (kind, namespace, name)
    if filenames:
        if args:
            raise UsageError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form")
        for d in read_documents(filenames, recursive):
            kind, m = api.prepare(d.data, c.namespace, Source(d.source, d.index), c.explicit_namespace)
            targets.append((kind, m["metadata"].get("namespace"), m["metadata"].get("name")))
    else:
        if not args:
            raise UsageError("You must provide one or more resources by argument or filename.")
        refs = parse_refs(args)
        for ref in refs:
            if ref.names:
                if selector or all_:
                    raise UsageError("name cannot be provided when a selector is specified")
                targets += [(ref.kind, c.namespace, n) for n in ref.names]
            else:
                if not (selector or all_ or field_selector):
                    raise UsageError("resource(s) were provided, but no name was specified")
                lsel = selectors.parse(selector)
                fsel = selectors.parse_fields(field_selector, ref.kind.plural)
                ns = None if all_namespaces else c.namespace
                for o in api.list(ref.kind, ns):
                    if lsel.matches(o["metadata"].get("labels")) and fsel.matches(o):
                        targets.append((ref.kind, o["metadata"].get("namespace"), o["metadata"]["name"]))
    if not targets and not filenames:
        where = "" if all_namespaces else f" in {c.namespace} namespace"
        click.echo(f"No resources found{where}.", err=True)
        return
    failed = None
    for kind, ns, name in targets:
        try:
            res = api.delete(kind, ns, name, propagation=propagation, dry_run=bool(dry))
        except NotFound as e:
            if ignore_not_found:
                continue
            from kubelite.cli.main import report

            report(e)
            failed = e
            continue
        if output == "name":
            click.echo(name_of(kind, res.obj))
        else:
            suffix = " (dry run)" if dry == "client" else (" (server dry run)" if dry else "")
            click.echo(f'{kind.qualified} "{name}" deleted{suffix}')
    if failed is not None:
        raise click.exceptions.Exit(1)
