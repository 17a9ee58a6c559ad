"""`kubelite rollout status|history|undo|pause|resume|restart` and `kubelite set image`."""
from __future__ import annotations

import copy
import time

import click

from kubelite.api import kinds
from kubelite.cli.context import global_options, obj, read_modify_write
from kubelite.cli.inputs import parse_refs
from kubelite.cli.output import name_of
from kubelite.errors import KubeliteError, UsageError

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
ROLLABLE = ("Deployment", "DaemonSet", "StatefulSet")


def _one(args: tuple[str, ...]):
    c = obj()
    refs = parse_refs(args)
    if len(refs) != 1 or len(refs[0].names) != 1:
        raise UsageError("required resource not specified: give TYPE NAME or TYPE/NAME")
    kind = refs[0].kind
    if kind.kind not in ROLLABLE:
        raise UsageError(f"{kind.resource} is not rollable; use a deployment, daemonset or statefulset")
    return c, kind, c.api.get(kind, c.namespace, refs[0].names[0])


def _owned_rs(api, d: dict) -> list[dict]:
    rk = kinds.by_kind("ReplicaSet")
    uid = d["metadata"]["uid"]
    return [rs for rs in api.list(rk, d["metadata"]["namespace"])
            if any(r.get("uid") == uid and r.get("controller") for r in rs["metadata"].get("ownerReferences") or [])]


def _rev(o: dict) -> int:
    try:
        return int((o["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


@click.group()
def rollout():
    """Manage the rollout of a deployment, daemon set or stateful set.

    \b
    Examples:
      kubelite rollout status deploy/web
      kubelite rollout undo deploy/web --to-revision=2
    """


def status_message(kind_name: str, o: dict) -> tuple[bool, str]:
    """(done, message) as kubectl's rollout status viewers word it."""
    name = o["metadata"]["name"]
    spec, st = o.get("spec") or {}, o.get("status") or {}
    gen, observed = o["metadata"].get("generation", 1), st.get("observedGeneration", 0)
    if kind_name == "Deployment":
        if observed < gen:
            return False, "Waiting for deployment spec update to be observed..."
        for cond in st.get("conditions") or []:
            if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
                raise KubeliteError(f'deployment "{name}" exceeded its progress deadline')
        replicas = spec.get("replicas", 1)
        updated, total, available = st.get("updatedReplicas", 0), st.get("replicas", 0), st.get("availableReplicas", 0)
        if updated < replicas:
            return False, f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} new replicas have been updated...'
        if total > updated:
            return False, f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are pending termination...'
        if available < updated:
            return False, f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated replicas are available...'
        return True, f'deployment "{name}" successfully rolled out'
    if kind_name == "DaemonSet":
        if observed < gen:
            return False, "Waiting for daemon set spec update to be observed..."
        desired, updated, available = st.get("desiredNumberScheduled", 0), st.get("updatedNumberScheduled", 0), st.get("numberAvailable", 0)
        if updated < desired:
            return False, f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods have been updated...'
        if available < desired:
            return False, f'Waiting for daemon set "{name}" rollout to finish: {available} of {desired} updated pods are available...'
        return True, f'daemon set "{name}" successfully rolled out'
    if observed < gen:
        return False, "Waiting for statefulset spec update to be observed..."
    replicas = spec.get("replicas", 1)
    if st.get("readyReplicas", 0) < replicas:
        return False, f"Waiting for {replicas - st.get('readyReplicas', 0)} pods to be ready..."
    if st.get("updateRevision") and st.get("currentRevision") != st.get("updateRevision"):
        return False, f"waiting for statefulset rolling update to complete {st.get('updatedReplicas', 0)} pods at revision {st.get('updateRevision')}..."
    return True, f"statefulset rolling update complete {replicas} pods at revision {st.get('updateRevision', '')}..."


@rollout.command("status")
@click.argument("args", nargs=-1, required=True)
@click.option("-w", "--watch/--no-watch", default=True, help="Keep checking until the rollout finishes or --timeout passes.")
@click.option("--timeout", default="0s", help="How long to keep checking (e.g. 60s) while a reconcile loop runs elsewhere; 0s checks once.")
@global_options
def rollout_status(args, watch, timeout):
    """Show the status of the rollout; exit 0 once it is complete, 1 otherwise.

    \b
    Examples:
      kubelite rollout status deploy/web
      kubelite rollout status deploy/web --timeout=2m   (while `kubelite reconcile` runs from cron)
    """
    from kubelite.cli.inputs import duration_flag

    seconds = duration_flag(timeout, "--timeout")  # a bad flag first, as kubectl parses flags first
    c, kind, o = _one(args)
    deadline = time.monotonic() + (seconds if watch else 0)
    last = None
    while True:
        done, msg = status_message(kind.kind, o)
        if msg != last:
            click.echo(msg)
            last = msg
        if done:
            return
        if time.monotonic() >= deadline:
            if not watch:
                return
            raise KubeliteError("timed out waiting for the condition")
        time.sleep(0.5)
        o = c.api.get(kind, c.namespace, o["metadata"]["name"])


@rollout.command("history")
@click.argument("args", nargs=-1, required=True)
@click.option("--revision", type=int, default=0, help="Show the pod template of this revision.")
@global_options
def rollout_history(args, revision):
    """View previous rollout revisions and configurations.

    \b
    Example:
      kubelite rollout history deploy/web --revision=2
    """
    c, kind, o = _one(args)
    if kind.kind != "Deployment":
        revs = _controller_revisions(c.api, o)
        entries = [(r.get("revision", 0), (r["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "<none>"), r) for r in revs]
    else:
        entries = [(_rev(rs), (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE, "<none>"), rs) for rs in _owned_rs(c.api, o)]
    entries.sort(key=lambda e: e[0])
    if revision:
        match = [e for e in entries if e[0] == revision]
        if not match:
            raise UsageError("unable to find the specified revision")
        from kubelite.cli.output import dump_yaml

        from kubelite.controllers._common import template_from_patch

        target = match[0][2]
        tmpl = (target.get("spec") or {}).get("template") if target.get("kind") == "ReplicaSet" else template_from_patch(target.get("data"))
        click.echo(f"{name_of(kind, o)} with revision #{revision}")
        click.echo("Pod Template:")
        click.echo("".join("  " + ln + "\n" for ln in dump_yaml(tmpl).splitlines()), nl=False)
        return
    click.echo(f"{name_of(kind, o)} ")
    click.echo("REVISION  CHANGE-CAUSE")
    for rev, cause, _ in entries:
        if rev:
            click.echo(f"{str(rev).ljust(10)}{cause}")
    click.echo("")


def _controller_revisions(api, o: dict) -> list[dict]:
    ck = kinds.by_kind("ControllerRevision")
    uid = o["metadata"]["uid"]
    return [r for r in api.list(ck, o["metadata"]["namespace"])
            if any(x.get("uid") == uid for x in r["metadata"].get("ownerReferences") or [])]


@rollout.command("undo")
@click.argument("args", nargs=-1, required=True)
@click.option("--to-revision", type=int, default=0, help="The revision to roll back to; 0 means the previous one.")
@click.option("--dry-run", "dry_run", default=None, flag_value="client", is_flag=False)
@global_options
@read_modify_write
def rollout_undo(args, to_revision, dry_run):
    """Roll back to a previous rollout.

    \b
    Examples:
      kubelite rollout undo deploy/web
      kubelite rollout undo deploy/web --to-revision=2
    """
    c, kind, o = _one(args)
    if kind.kind == "Deployment":
        candidates = [(_rev(rs), rs) for rs in _owned_rs(c.api, o)]
        current = _rev(o)
        tmpl_of = lambda rs: copy.deepcopy((rs.get("spec") or {}).get("template") or {})
    else:
        candidates = [(int(r.get("revision", 0)), r) for r in _controller_revisions(c.api, o)]
        current = max([r for r, _ in candidates] or [0])
        from kubelite.controllers._common import template_from_patch

        tmpl_of = lambda r: template_from_patch(r.get("data"))
    candidates.sort(key=lambda e: e[0])
    if to_revision:
        match = [x for r, x in candidates if r == to_revision]
        if not match:
            raise UsageError(f"unable to find specified revision {to_revision} in history")
        target = match[0]
    else:
        older = [x for r, x in candidates if r and r != current]
        if not older:
            raise UsageError("no rollout history found for " + name_of(kind, o))
        target = older[-1]
    tmpl = tmpl_of(target)
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    labels.pop("controller-revision-hash", None)
    if tmpl == (o.get("spec") or {}).get("template"):
        click.echo(f"{name_of(kind, o)} skipped rollback (current template already matches revision {to_revision or 'previous'})")
        return
    updated = copy.deepcopy(o)
    updated["spec"]["template"] = tmpl
    if dry_run:
        click.echo(f"{name_of(kind, o)} rolled back (dry run)")
        return
    c.api.update(updated, prepared=kind)
    click.echo(f"{name_of(kind, o)} rolled back")


def _patch_spec(args, fn, verb_done: str, verb_already: str) -> None:
    c, kind, o = _one(args)
    updated = copy.deepcopy(o)
    fn(updated)
    if updated == o:
        click.echo(f"{name_of(kind, o)} {verb_already}")
        return
    c.api.update(updated, prepared=kind, verb="patch")
    click.echo(f"{name_of(kind, o)} {verb_done}")


@rollout.command("pause")
@click.argument("args", nargs=-1, required=True)
@global_options
@read_modify_write
def rollout_pause(args):
    """Mark the deployment as paused: template changes do not roll out until resumed.

    \b
    Example:
      kubelite rollout pause deploy/web
    """
    _patch_spec(args, lambda o: o["spec"].__setitem__("paused", True), "paused", "already paused")


@rollout.command("resume")
@click.argument("args", nargs=-1, required=True)
@global_options
@read_modify_write
def rollout_resume(args):
    """Resume a paused deployment.

    \b
    Example:
      kubelite rollout resume deploy/web
    """
    _patch_spec(args, lambda o: o["spec"].pop("paused", None), "resumed", "is not paused")


@rollout.command("restart")
@click.argument("args", nargs=-1, required=True)
@global_options
@read_modify_write
def rollout_restart(args):
    """Restart a rollout: stamp the pod template so every pod is replaced.

    \b
    Example:
      kubelite rollout restart deploy/web
    """
    stamp = obj().clock.stamp()

    def fn(o: dict) -> None:
        meta = o["spec"].setdefault("template", {}).setdefault("metadata", {})
        meta.setdefault("annotations", {})
        if meta["annotations"] is None:
            meta["annotations"] = {}
        meta["annotations"]["kubectl.kubernetes.io/restartedAt"] = stamp

    _patch_spec(args, fn, "restarted", "already restarted at this time")


@click.group("set")
def set_():
    """Set specific features on objects.

    \b
    Example:
      kubelite set image deploy/web web=nginx:1.27
    """


@set_.command("image")
@click.argument("args", nargs=-1, required=True)
@click.option("--all", "all_", is_flag=True, help="Select all resources of the type in the namespace.")
@global_options
@read_modify_write
def set_image(args, all_):
    """Update the image of containers in a pod template: CONTAINER=IMAGE, or *=IMAGE for all.

    \b
    Examples:
      kubelite set image deploy/web web=nginx:1.26
      kubelite set image deployment web *=nginx:1.27
    """
    c = obj()
    pairs = [a for a in args if "=" in a]
    res = tuple(a for a in args if "=" not in a)
    if not pairs:
        raise UsageError("at least one image update is required")
    for ref in parse_refs(res):
        names = ref.names or ([o["metadata"]["name"] for o in c.api.list(ref.kind, c.namespace)] if all_ else [])
        for n in names:
            o = c.api.get(ref.kind, c.namespace, n)
            updated = copy.deepcopy(o)
            spec = _pod_spec(updated, ref.kind.kind)
            if spec is None:
                raise UsageError(f"{ref.kind.resource} has no pod template")
            for pair in pairs:
                cname, image = pair.split("=", 1)
                hit = False
                for ctr in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                    if cname in ("*", ctr.get("name")):
                        ctr["image"] = image
                        hit = True
                if not hit:
                    raise UsageError(f'unable to find container named "{cname}"')
            if updated == o:
                click.echo(f"{name_of(ref.kind, o)} image unchanged")
                continue
            c.api.update(updated, prepared=ref.kind, verb="patch")
            click.echo(f"{name_of(ref.kind, o)} image updated")


def _pod_spec(o: dict, kind: str) -> dict | None:
    if kind == "Pod":
        return o.get("spec")
    if kind == "CronJob":
        return (((o.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
    return ((o.get("spec") or {}).get("template") or {}).get("spec")
