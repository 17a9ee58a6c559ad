"""`apply`, `replace` and `diff`: manifests from files, validated whole before anything is written."""
from __future__ import annotations

import copy
import difflib

import click

from kubelite.apiserver import Result, Source
from kubelite.cli.context import file_options, global_options, obj
from kubelite.cli.inputs import read_documents
from kubelite.cli.output import dump_yaml, name_of, structured
from kubelite.errors import ApplyConflict, InputError, KubeliteError, NotFound, UsageError


def _dry_run_mode(value: str | None) -> str | None:
    if value in (None, "none"):
        return None
    if value not in ("client", "server"):
        raise UsageError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')
    return value


def server_side_apply(api, kind, manifest: dict, src: Source, manager: str, force: bool, dry_run: bool = False) -> Result:
    """What `kubectl apply --server-side` asks of the API server: `manager` applies `manifest`.

    The field ownership rules are the server's (kubelite.server.ssa, also behind PATCH with
    application/apply-patch+yaml); no last-applied annotation is kept, so objects of any size apply.
    """
    from kubelite.server.ssa import FieldConflicts, apply_to

    meta = manifest["metadata"]
    ns, name = meta.get("namespace"), meta.get("name")
    if not name:
        raise InputError(f"{src.prefix()}metadata.name: Required value: name is required for apply")
    with api.store.locked():
        live = api.try_get(kind, ns, name)
        try:
            obj = apply_to(live, manifest, manager, force, api.clock.stamp(), kind.api_version)
        except FieldConflicts as e:
            one_line = e.message.replace(":\n- ", ": ").replace("\n- ", ", ").replace("\n", "; ")
            raise ApplyConflict(f"{one_line} (re-run with --force-conflicts to take these fields over)") from None
        if live is None:
            return api.create(obj, ns, src, dry_run=dry_run, prepared=kind)
        obj["metadata"]["resourceVersion"] = live["metadata"].get("resourceVersion")
        if _same(api.defaulted(kind, obj, live, src), live):
            # The manifest differs from the object only by what defaulting fills in (a port's
            # protocol in an atomic list): nothing changes, managedFields' times included.
            return Result("unchanged", kind, live, dry_run)
        return api.update(obj, src, dry_run=dry_run, prepared=kind, verb="patch")


def _same(new: dict, live: dict) -> bool:
    def bare(o: dict) -> tuple:
        meta = dict(o.get("metadata") or {})
        fields = [{k: v for k, v in e.items() if k != "time"} for e in meta.pop("managedFields", None) or []]
        return dict(o, metadata=meta), fields

    return bare(new) == bare(live)


def validate_all(api, docs, namespace: str, explicit: bool, verb: str = "apply",
                 field_manager: str | None = None) -> list[tuple]:
    """Check every document before any write: structure, defaults, semantics and immutables.

    Returns (document, source, kind, prepared manifest) for each. With `field_manager`,
    an apply is checked as that manager's server-side apply.
    """
    out = []
    new_namespaces = set()
    for d in docs:
        src = Source(d.source, d.index)
        kind, manifest = api.prepare(d.data, namespace, src, explicit)
        if kind.kind == "Namespace":
            new_namespaces.add(manifest["metadata"].get("name"))
        out.append((d, src, kind, manifest))
    for d, src, kind, manifest in out:
        ns = manifest["metadata"].get("namespace")
        try:
            if verb == "apply" and field_manager:
                server_side_apply(api, kind, manifest, src, field_manager, True, dry_run=True)
            elif verb == "apply":
                api.apply(manifest, ns, src, dry_run=True, prepared=kind)
            elif verb == "create":
                api.create(manifest, ns, src, dry_run=True)
        except NotFound as e:
            if not (e.resource == "namespaces" and e.name in new_namespaces):
                if verb == "create" or e.resource == "namespaces":
                    raise
        except KubeliteError as e:
            if verb == "create" and e.reason == "AlreadyExists":
                continue  # reported per object when written, as kubectl does
            raise
    api.warnings.clear()  # said when each object is written
    return out


def print_warnings(api) -> None:
    """The API server's warnings (deprecated versions), as kubectl prints them: on stderr, first."""
    for w in api.warnings:
        click.echo(f"Warning: {w}", err=True)
    api.warnings.clear()


def print_result(res: Result, output: str | None, dry: str | None) -> None:
    print_warnings(obj().api)
    if output in ("json", "yaml"):
        click.echo(structured(output, [res.obj], True), nl=False)
        return
    suffix = {None: "", "client": " (dry run)", "server": " (server dry run)"}[dry]
    if output == "name":
        click.echo(name_of(res.kind, res.obj))
    else:
        click.echo(f"{name_of(res.kind, res.obj)} {res.verb}{suffix}")


@click.command()
@file_options
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False,
              help='Must be "none", "server", or "client".')
@click.option("-o", "--output", default=None, help="Output format: json|yaml|name.")
@click.option("--server-side", "server_side", is_flag=True,
              help="Apply as a field manager on the server: no last-applied annotation, so objects of any size apply.")
@click.option("--force-conflicts", "force_conflicts", is_flag=True,
              help="With --server-side: take over fields other managers own instead of failing.")
@click.option("--field-manager", "field_manager", default=None, help='Name of the manager (--server-side: default "kubectl").')
@click.option("--prune", is_flag=True, hidden=True)
@global_options
def apply(filenames, recursive, dry_run, output, server_side, force_conflicts, field_manager, prune):
    """Apply a configuration to a resource by file name or stdin.

    Fields you remove from a manifest are removed from the object; fields others
    set (status, labels added with `kubelite label`) survive. Every document is
    validated before any is written. With --server-side, field ownership is kept in
    metadata.managedFields as the API server's server-side apply keeps it, and every
    object prints `serverside-applied`, as kubectl prints it.

    \b
    Examples:
      kubelite apply -f samples/
      kubectl create deployment web --image=nginx --dry-run=client -o yaml | kubelite apply -f -
      kubelite apply --server-side -n argocd -f install.yaml
    """
    if prune:
        raise UsageError("--prune is not supported")
    if force_conflicts and not server_side:
        raise UsageError("--force-conflicts only works with --server-side")
    c = obj()
    dry = _dry_run_mode(dry_run)
    api = c.api
    manager = (field_manager or "kubectl") if server_side else None
    docs = read_documents(filenames, recursive)
    checked = validate_all(api, docs, c.namespace, c.explicit_namespace, field_manager=manager)

    def one(src, kind, manifest, dry_run: bool = False) -> Result:
        if manager:
            res = server_side_apply(api, kind, manifest, src, manager, force_conflicts, dry_run=dry_run)
            res.verb = "serverside-applied"
            return res
        return api.apply(manifest, manifest["metadata"].get("namespace"), src, dry_run=dry_run, prepared=kind)

    if dry:
        for d, src, kind, manifest in checked:
            try:
                res = one(src, kind, manifest, dry_run=True)
            except NotFound:
                res = Result("created", kind, manifest, True)
            print_result(res, output, dry)
        return
    failed = None
    with api.store.batch():
        for d, src, kind, manifest in checked:
            try:
                res = one(src, kind, manifest)
            except KubeliteError as e:
                from kubelite.cli.main import report

                report(e)
                failed = e
                continue
            print_result(res, output, None)
    if failed is not None:
        raise click.exceptions.Exit(1)


@click.command()
@file_options
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@click.option("-o", "--output", default=None)
@click.option("--force", is_flag=True, help="Delete and re-create the resource.")
@global_options
def replace(filenames, recursive, dry_run, output, force):
    """Replace a resource by file name or stdin.

    A manifest carrying a stale metadata.resourceVersion is refused with Conflict.

    \b
    Example:
      kubelite get deploy web -o yaml > web.yaml; edit web.yaml; kubelite replace -f web.yaml
    """
    c = obj()
    dry = _dry_run_mode(dry_run)
    api = c.api
    docs = read_documents(filenames, recursive)
    prepared = []
    for d in docs:
        src = Source(d.source, d.index)
        kind, manifest = api.prepare(d.data, c.namespace, src, c.explicit_namespace)
        api.update(copy.deepcopy(manifest), src, dry_run=True, prepared=kind)
        prepared.append((src, kind, manifest))
    with api.store.locked():
        for src, kind, manifest in prepared:
            if force and not dry:
                meta = manifest["metadata"]
                api.delete(kind, meta.get("namespace"), meta["name"])
                res = api.create(manifest, meta.get("namespace"), src, prepared=kind)
                res.verb = "replaced"
            else:
                res = api.update(manifest, src, dry_run=bool(dry), prepared=kind)
                res.verb = "replaced"
            print_result(res, output, dry)


_VOLATILE = ("resourceVersion", "generation", "managedFields")


def _strip(o: dict | None) -> dict:
    if o is None:
        return {}
    o = copy.deepcopy(o)
    meta = o.get("metadata") or {}
    for k in _VOLATILE:
        meta.pop(k, None)
    return o


@click.command()
@file_options
@global_options
def diff(filenames, recursive):
    """Diff the live version against what `apply -f` would make it.

    Exit status 0 means no differences, 1 means differences were found.

    \b
    Example:
      kubelite diff -f web.yaml
    """
    c = obj()
    api = c.api
    docs = read_documents(filenames, recursive)
    checked = validate_all(api, docs, c.namespace, c.explicit_namespace)
    changed = False
    for d, src, kind, manifest in checked:
        meta = manifest["metadata"]
        live = api.try_get(kind, meta.get("namespace"), meta["name"])
        try:
            res = api.apply(manifest, meta.get("namespace"), src, dry_run=True, prepared=kind)
            after = res.obj
        except NotFound:
            after = manifest
        a, b = dump_yaml(_strip(live)) if live else "", dump_yaml(_strip(after))
        if a == b:
            continue
        changed = True
        label = f"{kind.api_version}.{kind.kind}.{meta.get('namespace') or ''}.{meta['name']}".replace("/", ".")
        for line in difflib.unified_diff(a.splitlines(True), b.splitlines(True), f"LIVE/{label}", f"MERGED/{label}"):
            click.echo(line, nl=not line.endswith("\n"))
    if changed:
        raise click.exceptions.Exit(1)
