"""Verbs that change one field of live objects: label, annotate, scale, patch, edit."""
from __future__ import annotations

import copy
import json
import os
import shlex
import subprocess
import tempfile

import click

from kubelite.api import kinds, merge, selectors, yamlio
from kubelite.api import scale as sc
from kubelite.cli.context import global_options, obj, read_modify_write
from kubelite.cli.inputs import parse_refs
from kubelite.cli.output import dump_yaml, name_of, structured
from kubelite.errors import Conflict, InputError, UsageError


def _targets(args: tuple[str, ...], selector: str | None, all_: bool, all_namespaces: bool = False) -> tuple[list[tuple], list[str]]:
    """Split `TYPE NAME... key=val key-` or `TYPE/NAME key=val` into objects and the rest."""
    c = obj()
    words = list(args)
    # Object names never end in "-" (DNS-1123), so `key-` is always a removal, even `a.io/key-`.
    pairs = [w for w in words if "=" in w or (w.endswith("-") and len(w) > 1)]
    res_args = [w for w in words if w not in pairs]
    if not res_args:
        raise UsageError("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    refs = parse_refs(tuple(res_args))
    out = []
    api = c.api
    for ref in refs:
        if ref.names:
            for n in ref.names:
                out.append(api.get(ref.kind, c.namespace, n))
        elif selector or all_:
            sel = selectors.parse(selector)
            for o in api.list(ref.kind, None if all_namespaces else c.namespace):
                if sel.matches(o["metadata"].get("labels")):
                    out.append(o)
        else:
            raise UsageError("resource(s) were provided, but no name was specified")
    return [(kinds.for_object(o["apiVersion"], o["kind"]), o) for o in out], pairs


def _update_map(field: str, verb: str):
    def command(args, overwrite, selector, all_, all_namespaces, resource_version, list_, output):
        c = obj()
        targets, pairs = _targets(args, selector, all_, all_namespaces)
        sets, removes = {}, []
        for p in pairs:
            if p.endswith("-") and "=" not in p:
                removes.append(p[:-1])
            else:
                k, v = p.split("=", 1)
                sets[k] = v
        for kind, o in targets:
            meta = o["metadata"]
            current = dict(meta.get(field) or {})
            if list_:
                for k, v in sorted(current.items()):
                    click.echo(f"{k}={v}")
                continue
            for k, v in sets.items():
                if k in current and current[k] != v and not overwrite:
                    raise UsageError(f"'{k}' already has a value ({current[k]}), and --overwrite is false")
            new = dict(current)
            new.update(sets)
            for k in removes:
                new.pop(k, None)
            if new == current:
                click.echo(f"{name_of(kind, o)} not {verb}")
                continue
            updated = copy.deepcopy(o)
            updated["metadata"][field] = new
            if not new:
                updated["metadata"].pop(field)
            if resource_version:
                updated["metadata"]["resourceVersion"] = resource_version
            res = c.api.update(updated, prepared=kind, verb="patch")
            if output in ("json", "yaml"):
                click.echo(structured(output, [res.obj], True), nl=False)
            elif output == "name":
                click.echo(name_of(kind, res.obj))
            else:
                click.echo(f"{name_of(kind, res.obj)} {verb}")

    return command


def _map_command(name: str, field: str, verb: str, doc: str):
    @click.command(name, help=doc)
    @click.argument("args", nargs=-1, required=True)
    @click.option("--overwrite", is_flag=True, help="Allow existing values to be overwritten.")
    @click.option("-l", "--selector", default=None)
    @click.option("--all", "all_", is_flag=True)
    @click.option("-A", "--all-namespaces", is_flag=True)
    @click.option("--resource-version", default=None, help="Only update if the object's resourceVersion matches.")
    @click.option("--list", "list_", is_flag=True, help="List the current values.")
    @click.option("-o", "--output", default=None)
    @global_options
    @read_modify_write
    def cmd(args, overwrite, selector, all_, all_namespaces, resource_version, list_, output):
        _update_map(field, verb)(args, overwrite, selector, all_, all_namespaces, resource_version, list_, output)

    return cmd


label = _map_command("label", "labels", "labeled", """Update the labels on a resource.

\b
Examples:
  kubelite label pods web-0 tier=frontend
  kubelite label deploy/web tier=backend --overwrite
  kubelite label pods web-0 tier-
""")
annotate = _map_command("annotate", "annotations", "annotated", """Update the annotations on a resource.

\b
Examples:
  kubelite annotate deploy web owner=team-a
  kubelite annotate deploy web owner-
""")


def _replicas_path(kind) -> tuple[str, ...] | None:
    """Where the scale subresource keeps a kind's replicas (kubelite.api.scale); kubectl
    also scales a Job's parallelism."""
    p = sc.paths(kind)
    if p is not None:
        return p.spec
    return ("spec", "parallelism") if kind.kind == "Job" else None


@click.command()
@click.argument("args", nargs=-1, required=True)
@click.option("--replicas", type=int, required=True, help="The new desired number of replicas.")
@click.option("--current-replicas", type=int, default=-1, help="Precondition for current size.")
@click.option("--resource-version", default=None)
@click.option("-l", "--selector", default=None)
@click.option("--all", "all_", is_flag=True)
@click.option("-o", "--output", default=None)
@global_options
@read_modify_write
def scale(args, replicas, current_replicas, resource_version, selector, all_, output):
    """Set a new size for a deployment, replica set, replication controller, or stateful set.

    \b
    Examples:
      kubelite scale deploy/web --replicas=5
      kubelite scale --current-replicas=2 --replicas=3 deployment/web
    """
    c = obj()
    if replicas < 0:
        raise UsageError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    targets, _ = _targets(args, selector, all_)
    for kind, o in targets:
        path = _replicas_path(kind)
        if path is None:
            raise UsageError(f"cannot scale {kind.resource}: no scale subresource")
        current = sc.get_path(o, path)
        if current_replicas >= 0 and current != current_replicas:
            raise Conflict(kind.resource, o["metadata"]["name"],
                           f"precondition failed: expected replicas {current_replicas}, got {current}")
        updated = copy.deepcopy(o)
        sc.set_path(updated, path, replicas)
        if resource_version:
            updated["metadata"]["resourceVersion"] = resource_version
        res = c.api.update(updated, prepared=kind, verb="update", subresource="scale")
        click.echo(name_of(kind, res.obj) if output == "name" else f"{name_of(kind, res.obj)} scaled")


@click.command()
@click.argument("args", nargs=-1, required=True)
@click.option("-p", "--patch", "patch_text", default=None, help="The patch to apply, JSON or YAML.")
@click.option("--patch-file", default=None, help="A file holding the patch.")
@click.option("--type", "type_", type=click.Choice(["json", "merge", "strategic"]), default="strategic")
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@click.option("-o", "--output", default=None)
@click.option("--subresource", default=None, help="status or scale.")
@global_options
@read_modify_write
def patch(args, patch_text, patch_file, type_, dry_run, output, subresource):
    """Update fields of a resource using a strategic merge, JSON merge or JSON patch.

    \b
    Examples:
      kubelite patch deploy web -p '{"spec":{"replicas":2}}'
      kubelite patch deploy web --type merge -p '{"metadata":{"labels":{"tier":"web"}}}'
      kubelite patch deploy web --type json -p '[{"op":"replace","path":"/spec/replicas","value":4}]'
    """
    c = obj()
    if (patch_text is None) == (patch_file is None):
        raise UsageError("must specify --patch or --patch-file containing the contents of the patch")
    if patch_file:
        try:
            patch_text = open(patch_file).read()
        except OSError as e:
            raise UsageError(f"unable to read patch file {patch_file}: {e.strerror}") from None
    docs = yamlio.load_documents(patch_text, "patch")
    if len(docs) != 1:
        raise UsageError("unable to parse the patch: expected one JSON or YAML document")
    p = docs[0].data
    targets, _ = _targets(args, None, False)
    for kind, o in targets:
        try:
            if type_ == "json":
                new = merge.json_patch(o, p)
            elif type_ == "merge":
                if not isinstance(p, dict):
                    raise merge.PatchError("a merge patch must be a JSON object")
                new = merge.merge_patch(o, p)
            else:
                if not isinstance(p, dict):
                    raise merge.PatchError("a strategic merge patch must be a JSON object")
                new = _strategic(o, p)
        except merge.PatchError as e:
            raise InputError(f"unable to apply the patch: {e}") from None
        if not isinstance(new, dict):
            raise InputError("unable to apply the patch: the result is not an object")
        new.setdefault("metadata", {})
        new["metadata"]["resourceVersion"] = o["metadata"].get("resourceVersion")
        if new.get("apiVersion") != o.get("apiVersion") or new.get("kind") != o.get("kind") or \
                new["metadata"].get("name") != o["metadata"].get("name"):
            raise InputError("unable to apply the patch: apiVersion, kind and metadata.name may not change")
        from kubelite.cli.apply import _dry_run_mode

        dry = _dry_run_mode(dry_run)
        res = c.api.update(new, dry_run=bool(dry), prepared=kind, verb="patch", subresource=subresource or "")
        if output in ("json", "yaml"):
            click.echo(structured(output, [res.obj], True), nl=False)
        elif output == "name":
            click.echo(name_of(kind, res.obj))
        else:
            what = "patched" if res.verb != "unchanged" else "patched (no change)"
            click.echo(f"{name_of(kind, res.obj)} {what}")


def _strategic(live: dict, patch: dict) -> dict:
    """A strategic merge patch: maps merge, keyed lists merge by key, null deletes."""

    def go(target, p, field=""):
        if isinstance(p, dict) and isinstance(target, dict):
            out = dict(target)
            for k, v in p.items():
                if v is None:
                    out.pop(k, None)
                elif k in out:
                    out[k] = go(out[k], v, k)
                else:
                    out[k] = _drop_nulls(v)
            return out
        if isinstance(p, list) and isinstance(target, list):
            return merge.three_way(None, p, target, field)
        return _drop_nulls(p)

    return go(live, patch)


def _drop_nulls(v):
    if isinstance(v, dict):
        return {k: _drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_drop_nulls(x) for x in v]
    return v


@click.command()
@click.argument("args", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Choice(["yaml", "json"]), default="yaml", help="The format to edit in.")
@global_options
def edit(args, output):
    """Edit a resource in $KUBE_EDITOR or $EDITOR (default vi); the result is validated again.

    \b
    Example:
      EDITOR=nano kubelite edit deploy/web
    """
    c = obj()
    targets, _ = _targets(args, None, False)
    editor = os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"
    for kind, o in targets:
        text = dump_yaml(o) if output == "yaml" else json.dumps(o, indent=4, sort_keys=True) + "\n"
        header = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
                  "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
                  "# reopened with the relevant failures.\n#\n")
        with tempfile.NamedTemporaryFile("w", suffix=f".{output}", prefix="kubelite-edit-", delete=False) as f:
            f.write(header + text)
            path = f.name
        try:
            rc = subprocess.call(shlex.split(editor) + [path])
            if rc != 0:
                raise UsageError(f"there was a problem with the editor {editor!r}")
            edited = open(path, encoding="utf-8").read()
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        body = "\n".join(line for line in edited.splitlines() if not line.lstrip().startswith("#"))
        if not body.strip():
            click.echo("Edit cancelled, no changes made.")
            continue
        docs = yamlio.load_documents(body, "edited object")
        if len(docs) != 1 or docs[0].data == o:
            click.echo("Edit cancelled, no changes made.")
            continue
        res = c.api.update(docs[0].data, verb="patch")
        click.echo(f"{name_of(kind, res.obj)} edited")
