"""`kubelite federation join|unjoin`: register member clusters with the host (kubefedctl's verbs)."""
from __future__ import annotations

from pathlib import Path

import click

from kubelite.cli.context import global_options, obj
from kubelite.errors import UsageError

CLUSTER_KIND = "KubeFedCluster"


@click.group()
def federation():
    """Join and unjoin member clusters of the federation this state directory hosts.

    The host (--state-dir, --context or the current context) keeps the federation API:
    KubeFedClusters in kube-federation-system, Federated<Kind> objects,
    ReplicaSchedulingPreferences and ServiceDNSRecords. Each member is another state
    directory; the host's `reconcile` propagates to every reachable member, and
    `reconcile --members` then reconciles the members too.

    \b
    Examples:
      kubelite federation join eu --member-state-dir ~/fed/eu --label region=eu
      kubelite federation join us --member-context us
      kubelite get kubefedclusters -n kube-federation-system
      kubelite federation unjoin eu
    """


def _parse_labels(labels: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in labels:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f'invalid label "{item}": expected KEY=VALUE')
        out[key] = value
    return out


@federation.command("join")
@click.argument("name")
@click.option("--member-state-dir", "member_dir", default=None, metavar="DIR",
              help="The member's state directory (created if it does not exist).")
@click.option("--member-context", default=None, metavar="NAME", help="Use this context's state directory as the member.")
@click.option("--label", "labels", multiple=True, metavar="KEY=VALUE",
              help="A label on the KubeFedCluster, for placement's clusterSelector; repeatable.")
@global_options
def join(name, member_dir, member_context, labels):
    """Register the state directory DIR as member cluster NAME.

    Creates the KubeFedCluster NAME in kube-federation-system (and that namespace when
    missing), with spec.apiEndpoint the member's absolute path. Joining a name again
    updates its directory and adds the labels.

    \b
    Examples:
      kubelite federation join eu --member-state-dir ~/fed/eu --label region=eu
      kubelite --context host federation join us --member-context us
    """
    from kubelite.api import kinds
    from kubelite.apiserver import APIServer
    from kubelite.federation import FED_NAMESPACE

    c = obj()
    if bool(member_dir) == bool(member_context):
        raise UsageError("give the member as --member-state-dir DIR or --member-context NAME (one of them)")
    if member_context:
        from kubelite.cli import contexts

        path = contexts.state_dir_for(member_context)
    else:
        path = Path(member_dir).expanduser()
    path = path.absolute()
    wanted = _parse_labels(labels)
    if path.exists() and not (path / "registry").is_dir():
        if not path.is_dir() or any(path.iterdir()):
            raise UsageError(f"{path} is not a kubelite state directory")
    api = c.api
    if not (path / "registry").is_dir():
        APIServer.open(path)  # a new, empty member cluster
        click.echo(f"created state directory {path}")
    nsk = kinds.by_kind("Namespace")
    if api.try_get(nsk, None, FED_NAMESPACE) is None:
        api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": FED_NAMESPACE}})
        click.echo(f"namespace/{FED_NAMESPACE} created")
    kind = kinds.by_kind(CLUSTER_KIND)
    current = api.try_get(kind, FED_NAMESPACE, name)
    if current is None:
        body = {"apiVersion": kind.api_version, "kind": kind.kind,
                "metadata": {"name": name, "namespace": FED_NAMESPACE},
                "spec": {"apiEndpoint": str(path)}}
        if wanted:
            body["metadata"]["labels"] = wanted
        api.create(body)
        verb = "joined"
    else:
        import copy

        updated = copy.deepcopy(current)
        updated["spec"] = dict(updated.get("spec") or {}, apiEndpoint=str(path))
        merged = dict(updated["metadata"].get("labels") or {})
        merged.update(wanted)
        if merged:
            updated["metadata"]["labels"] = merged
        res = api.update(updated)
        verb = "rejoined" if res.verb != "unchanged" else "already joined"
    click.echo(f"{kind.qualified}/{name} {verb} (member state directory {path})")


@federation.command("unjoin")
@click.argument("name")
@global_options
def unjoin(name):
    """Remove member cluster NAME from the federation.

    Objects federation created in the member stay there, still labelled
    kubefed.io/managed=true (as kubefedctl unjoin leaves them); joining again resumes
    managing them.

    \b
    Example:
      kubelite federation unjoin eu
    """
    from kubelite.api import kinds
    from kubelite.federation import FED_NAMESPACE

    c = obj()
    kind = kinds.by_kind(CLUSTER_KIND)
    c.api.delete(kind, FED_NAMESPACE, name)
    click.echo(f'{kind.qualified} "{name}" unjoined')
