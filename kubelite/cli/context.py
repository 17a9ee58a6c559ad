"""Shared flags (spelled once, used by every command) and the per-invocation context."""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

# option -> takes a value; used to let these stand before the verb.
GLOBAL_OPTIONS: dict[str, bool] = {
    "--state-dir": True, "-n": True, "--namespace": True, "--as": True, "--as-group": True,
    "--token": True, "--context": True, "-A": False, "--all-namespaces": False,
    "-o": True, "--output": True, "--no-headers": False, "--show-labels": False,
    "-l": True, "--selector": True, "--field-selector": True, "--sort-by": True,
}


# Stores this command opened: their parse caches are saved only if the command succeeds,
# so a failed command leaves the state directory exactly as it found it.
OPENED: list = []


@dataclass
class Ctx:
    """Everything a command needs, built from the flags and environment."""

    state_dir_flag: str | None = None
    namespace_flag: str | None = None
    as_user: str | None = None
    as_groups: tuple[str, ...] = ()
    token: str | None = None
    context_name: str | None = None
    _api: Any = None
    _identity: Any = None

    @property
    def state_dir(self) -> Path:
        from kubelite.apiserver import default_state_dir

        if self.state_dir_flag is None and (self.context_name or os.environ.get("KUBELITE_CONTEXT")):
            from kubelite.cli import contexts

            d = contexts.state_dir_for(self.context_name or os.environ["KUBELITE_CONTEXT"])
            if d:
                return d
        if self.state_dir_flag is None and not os.environ.get("KUBELITE_STATE_DIR"):
            try:
                from kubelite.cli import contexts

                d = contexts.current_state_dir()
                if d:
                    return d
            except ImportError:
                pass
        return default_state_dir(self.state_dir_flag)

    @property
    def api(self):
        if self._api is None:
            from kubelite.apiserver import APIServer

            api = APIServer.open(self.state_dir)
            api.store.on_bad_file = lambda bad: click.echo(
                f"Warning: skipping unreadable object file {bad.path}: {bad.error.split(': ', 1)[-1]}", err=True
            )
            api.identity = self.identity_for(api)
            OPENED.append(api.store)
            self._api = api
        return self._api

    def identity_for(self, api):
        """--token, else --as/--as-group (or $KUBELITE_AS), else the state directory's administrator."""
        from kubelite.auth.identity import ADMIN, Identity

        if self.token:
            from kubelite.auth import tokens

            return tokens.authenticate(api, self.token)
        if self.as_user:
            return Identity.of(self.as_user, self.as_groups)
        if self.as_groups:
            from kubelite.errors import UsageError

            raise UsageError("requesting uid, groups or user-extra for  without impersonating a user")
        return ADMIN

    @property
    def namespace(self) -> str:
        return self.namespace_flag or "default"

    @property
    def explicit_namespace(self) -> bool:
        return self.namespace_flag is not None

    @property
    def clock(self):
        from kubelite.clock import Clock

        return Clock.from_env()


def global_options(f: Callable) -> Callable:
    """--state-dir, -n, --as, --as-group, --token, --context: accepted by every command."""

    @click.option("--state-dir", "state_dir_", default=None, metavar="DIR",
                  help="State directory (default: $KUBELITE_STATE_DIR or ~/.kubelite).")
    @click.option("-n", "--namespace", "namespace_", default=None, help="The namespace scope for this request.")
    @click.option("--as", "as_", default=None, metavar="USER", help="Username to impersonate for the operation.")
    @click.option("--as-group", "as_group_", multiple=True, metavar="GROUP", help="Group to impersonate; repeatable.")
    @click.option("--token", "token_", default=None, help="Bearer token of a ServiceAccount to act as.")
    @click.option("--context", "context_", default=None, help="The name of the context to use.")
    @functools.wraps(f)
    def wrapper(*args, state_dir_=None, namespace_=None, as_=None, as_group_=(), token_=None, context_=None, **kwargs):
        ctx = click.get_current_context()
        parent = ctx.find_object(Ctx)
        c = Ctx(
            state_dir_flag=state_dir_ or (parent.state_dir_flag if parent else None),
            namespace_flag=namespace_ or (parent.namespace_flag if parent else None),
            as_user=as_ or (parent.as_user if parent else None) or os.environ.get("KUBELITE_AS") or None,
            as_groups=tuple(as_group_) or (parent.as_groups if parent else ()),
            token=token_ or (parent.token if parent else None),
            context_name=context_ or (parent.context_name if parent else None),
        )
        ctx.obj = c
        return f(*args, **kwargs)

    return wrapper


def output_options(f: Callable) -> Callable:
    """-o, --no-headers, --show-labels, --sort-by: how results print."""

    @click.option("-o", "--output", "output", default=None,
                  help="Output format: json|yaml|name|wide|jsonpath=...|custom-columns=...")
    @click.option("--no-headers", is_flag=True, help="Don't print headers.")
    @click.option("--show-labels", is_flag=True, help="Show all labels as the last column.")
    @click.option("--sort-by", default=None, help="Sort list types using this JSONPath expression.")
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def selector_options(f: Callable) -> Callable:
    """-l, --field-selector, -A: which objects a list covers."""

    @click.option("-l", "--selector", "selector", default=None, help="Selector (label query) to filter on.")
    @click.option("--field-selector", default=None, help="Selector (field query) to filter on.")
    @click.option("-A", "--all-namespaces", is_flag=True, help="List the requested object(s) across all namespaces.")
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def file_options(f: Callable) -> Callable:
    """-f FILE|DIR|- (repeatable) and -R."""

    @click.option("-f", "--filename", "filenames", multiple=True, help="File, directory or - for stdin.")
    @click.option("-R", "--recursive", is_flag=True, help="Process the directory used in -f recursively.")
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


def obj() -> Ctx:
    return click.get_current_context().find_object(Ctx)


def read_modify_write(f: Callable) -> Callable:
    """Hold the store lock from a verb's read to its write (label, scale, patch, cordon, set
    image, ...), as the API server applies a PATCH to the object it holds: a write by another
    process in between can neither be lost nor turn into a spurious Conflict. A precondition
    the user gives (--resource-version) is still checked against the object under the lock.
    Goes below @global_options."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        with obj().api.store.locked():
            return f(*args, **kwargs)

    return wrapper


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
