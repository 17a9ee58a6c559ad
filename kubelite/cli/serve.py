"""`kubelite serve`: the Kubernetes API over HTTPS in front of the state directory."""
from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from kubelite.cli.context import global_options, obj
from kubelite.errors import UsageError
from kubelite.cli.inputs import duration_flag


def _loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--address", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=6443, show_default=True, help="The port; 0 picks a free one.")
@click.option("--kubeconfig", "kubeconfig_path", type=click.Path(dir_okay=False), default=None,
              help="Where to write the admin kubeconfig (default STATE/kubeconfig).")
@click.option("--reconcile-interval", default="1s", show_default=True, help="How often to run the controllers (e.g. 500ms, 1s, 1m).")
@click.option("--no-reconcile", is_flag=True, help="Serve the API only; run no controllers.")
@click.option("--allow-remote", is_flag=True, help="Allow listening on a non-loopback address (see README: trust boundary).")
@global_options
def serve(address, port, kubeconfig_path, reconcile_interval, no_reconcile, allow_remote):
    """Serve the Kubernetes API over HTTPS from the state directory, for kubectl and client libraries.

    Writes an admin kubeconfig (a CA it generated, a bearer token) when ready, prints
    one line with the URL and the kubeconfig path, and runs the controllers every
    --reconcile-interval unless --no-reconcile. SIGTERM or SIGINT stops it cleanly.

    \b
    Examples:
      kubelite serve --port 0
      KUBECONFIG=~/.kubelite/kubeconfig kubectl get pods -A
    """
    if not _loopback(address) and not allow_remote:
        raise UsageError(f"refusing to listen on non-loopback address {address}: anyone who can reach it and holds a token "
                         "acts on this state directory; pass --allow-remote to do so")
    interval = None if no_reconcile else duration_flag(reconcile_interval, "--reconcile-interval")
    if interval is not None and interval <= 0:
        raise UsageError("--reconcile-interval must be positive")
    c = obj()
    api = c.api  # creates the state directory on first use
    root = api.store.root
    from kubelite.server.run import serve_forever

    code = serve_forever(root, address, port, Path(kubeconfig_path) if kubeconfig_path else root / "kubeconfig", interval)
    sys.exit(code)
