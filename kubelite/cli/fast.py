"""The `kubelite` console script: plain reads of named objects answered without click or the API server.

The full command spends most of a read like `kubelite get pod web -o name` importing
click, the API server and the store. This module answers such reads with only the pieces
they need: the full command's own functions where they are light (parse_refs, the store's
YAML reader, Printer), and the API server's object file checks from kubelite.api.objectfile.
Every other command line goes to kubelite.cli.main untouched.

It answers only when the full command would succeed, so the two never disagree:

- the command line is `get` with references parse_refs takes (`TYPE NAME...`,
  `TYPE/NAME...`, `TYPE,TYPE NAME...`) that all name objects, and no option but
  -n/--namespace NS, -o/--output name|json|yaml and --state-dir DIR, each at most once,
  before or after `get`;
- the caller is the state directory's administrator (no --as, --as-group or --token, no
  $KUBELITE_AS), whom RBAC lets read anything and the audit log does not record for a read;
- the state directory is --state-dir, else $KUBELITE_STATE_DIR, else ~/.kubelite when no
  contexts file exists (and no --context or $KUBELITE_CONTEXT), and it exists already
  (the full command would create and bootstrap it);
- every object file is there, parses, and is the object its path names (objectfile.file_problem);
  a file as kubelite wrote it is read back by yamlemit.load_dumped, which needs no ruamel.yaml;
- stdout can encode what is printed.

It also answers two commands that read no object file: a list of names (`get TYPE -o
name` with -A or -n NS: the file names, kubelite.store.names), and a `reconcile` that has
nothing to do (kubelite.runtime.quiet: one check, no output).

Anything else, every error included, goes to the full command, which prints its own
output, message and exit code. Like the full command's read of named objects, this writes
nothing: the parse cache is saved only for kinds a command listed, and the audit log
records writes and denials. KUBELITE_NO_FASTPATH=1 sends every command line to the full command.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubelite.api.kinds import Kind

# The options answered here: all global ones, so they may stand before or after the verb.
_OPTIONS = {"-n": "namespace", "--namespace": "namespace", "-o": "output", "--output": "output",
            "--state-dir": "state_dir"}
_OUTPUTS = ("name", "json", "yaml")  # tables and templates need more than this module loads
# Settings that change who acts or which directory is read, and click's shell completion.
_FULL_COMMAND_ENV = ("KUBELITE_AS", "KUBELITE_CONTEXT", "_KUBELITE_COMPLETE")


def main() -> None:
    argv = sys.argv[1:]
    if not os.environ.get("KUBELITE_NO_FASTPATH"):
        try:
            text = answer(argv)
        except KeyboardInterrupt:
            sys.exit(130)
        if text is not None:
            try:
                sys.stdout.write(text)
            except BrokenPipeError:  # as kubelite.cli.main does
                sys.stderr.close()
            return
    from kubelite.cli.main import main as full

    full(argv)


def answer(argv: list[str]) -> str | None:
    """What `kubelite ARGV` prints on stdout when it is a plain read that succeeds, else None."""
    try:
        return _answer(argv)
    except Exception:  # anything unusual is the full command's to report
        return None


def _answer(argv: list[str]) -> str | None:
    "\0".join(argv).encode("utf-8")  # bytes that are not UTF-8: the full command refuses them
    if argv.count("reconcile") == 1:
        return _quiet_reconcile(argv)
    every_ns = [a for a in argv if a in ("-A", "--all-namespaces")]
    if len(every_ns) > 1:
        return None
    parsed = _parse([a for a in argv if a not in every_ns])
    if parsed is None:
        return None
    words, opts = parsed
    output = opts.get("output")
    if len(words) < 2 or words[0] != "get" or output not in _OUTPUTS:
        return None
    root = _store_root(opts.get("state_dir"))
    if root is None:
        return None
    if os.environ.get("KUBELITE_NOW"):
        from kubelite.clock import Clock

        Clock.from_env()  # a bad time is the full command's error
    if not os.environ.get("KUBELITE_CACHE_DIR") and not os.environ.get("XDG_CACHE_HOME"):
        Path.home()  # where the store looks for its parse cache; a home it cannot find is an error there

    from kubelite.cli.inputs import parse_refs

    refs = parse_refs(tuple(words[1:]))
    if any(ref.api_version for ref in refs):
        return None  # another served version: converted by the full command
    namespace = opts.get("namespace") or "default"
    if not any(ref.names for ref in refs) and output == "name":
        return _names(root, refs, None if every_ns else namespace)
    if every_ns or not all(ref.names for ref in refs):
        return None  # a list also saves the parse cache and warns of bad files
    groups = []
    for ref in refs:
        found = []
        for name in ref.names:
            obj = _read(root / "registry", ref.kind, namespace, name)
            if obj is None:
                return None
            found.append(obj)
        groups.append((ref.kind, found))

    import io

    from kubelite.cli.output import Printer

    out = io.StringIO()
    single = len(refs) == 1 and len(refs[0].names) == 1
    Printer(output, out=out, tty=False).print_objects(groups, single=single)
    text = out.getvalue()
    text.encode(sys.stdout.encoding, sys.stdout.errors)  # what stdout cannot take fails there
    return text


def _names(root: Path, refs, namespace: str | None) -> str | None:
    """`get TYPE -o name` (-A, -n NS): names from file names, as the full command lists
    them (APIServer.list_names); None when there is none (the full command says so)."""
    from kubelite.api.objectfile import key_error
    from kubelite.store.names import object_names

    if namespace is not None and key_error(namespace) is not None:
        return None
    lines = [f"{ref.kind.qualified}/{name}\n" for ref in refs
             for _, name in object_names(str(root / "registry"), ref.kind.dir, ref.kind.namespaced,
                                         namespace if ref.kind.namespaced else None)
             if key_error(name) is None]
    return "".join(lines) or None


def _quiet_reconcile(argv: list[str]) -> str | None:
    """"" (nothing to print) when `kubelite reconcile` would run a pass that does nothing:
    the store is as a quiet pass left it and nothing is due (kubelite.runtime.quiet), and
    no other reconcile holds the lock (the full command exits 3 then). Only -q/--quiet,
    --until-stable, --max-passes N and --state-dir DIR are answered here."""
    words = [a for a in argv if a in ("reconcile", "-q", "--quiet", "--until-stable")]
    if len(words) != len(set(words)) or ("-q" in words and "--quiet" in words):
        return None  # a flag given twice: click's to judge
    rest = [a for a in argv if a not in words]
    if len(rest) % 2:
        return None
    opts: dict[str, str] = {}
    for opt, value in zip(rest[::2], rest[1::2]):
        if opt not in ("--state-dir", "--max-passes") or opt in opts or not value or value.startswith("-"):
            return None
        opts[opt] = value
    if "--max-passes" in opts and not (opts["--max-passes"].isdigit() and int(opts["--max-passes"]) >= 1):
        return None
    root = _store_root(opts.get("--state-dir"))
    if root is None:
        return None
    from kubelite.clock import Clock
    from kubelite.runtime import quiet

    if not quiet.is_quiet(root, Clock.from_env().now().timestamp()) or _reconcile_running(root):
        return None
    return ""


def _reconcile_running(root: Path) -> bool:
    """Whether another reconcile holds STATE/locks/reconcile.lock (filelock's flock)."""
    import fcntl

    try:
        fd = os.open(root / "locks" / "reconcile.lock", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases our lock
    return False


def _parse(argv: list[str]) -> tuple[list[str], dict[str, str]] | None:
    """The words and the options of a command line made only of the options answered here."""
    words: list[str] = []
    opts: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            words.append(arg)
            i += 1
            continue
        if arg.startswith("--") and "=" in arg:
            opt, value = arg.split("=", 1)
            i += 1
        elif i + 1 < len(argv):
            opt, value = arg, argv[i + 1]
            i += 2
        else:
            return None
        key = _OPTIONS.get(opt)
        # Another option (-oname, -o=name, --, -h...), one given twice, or a value that is
        # empty or looks like an option: click decides what those mean.
        if key is None or key in opts or not value or value.startswith("-"):
            return None
        opts[key] = value
    return words, opts


def _store_root(flag: str | None) -> Path | None:
    """The state directory to answer from: None when the environment changes who acts or
    where (the full command's), or the directory does not exist yet (the full command makes it)."""
    if any(k in os.environ for k in _FULL_COMMAND_ENV):
        return None
    root = _state_dir(flag)
    if root is None or not (root / "registry").is_dir():
        return None
    return root


def _state_dir(flag: str | None) -> Path | None:
    """The state directory as kubelite.cli.context finds it, or None when a contexts file may name it."""
    if flag:
        return Path(flag).expanduser()
    if os.environ.get("KUBELITE_STATE_DIR"):
        return Path(os.environ["KUBELITE_STATE_DIR"]).expanduser()
    from kubelite.cli import contexts

    try:
        os.stat(contexts.config_path())
    except FileNotFoundError:
        return Path("~/.kubelite").expanduser()
    return None


def _read(registry: Path, kind: Kind, namespace: str, name: str) -> dict | None:
    """The object (namespace, name) of kind, read as the API server's get reads it; None
    when that would not simply return it. Errors other than a refusal propagate to answer()."""
    from kubelite.api.objectfile import file_problem, key_error

    ns = namespace if kind.namespaced else None
    if key_error(name) is not None or (ns is not None and key_error(ns) is not None):
        return None  # the API server answers NotFound without touching a file
    path = registry / kind.dir / ns / f"{name}.yaml" if ns is not None else registry / kind.dir / f"{name}.yaml"
    with open(path, "rb") as f:
        data = f.read()
    # A file as kubelite wrote it reads back without ruamel.yaml; any other goes through the
    # store's own reader (text that is not UTF-8 raises here, and the full command says why).
    from kubelite.api.yamlemit import load_dumped

    obj = load_dumped(data.decode("utf-8"))
    if obj is None:
        from kubelite.api import yamlio

        obj = yamlio.load_one(data, str(path))
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return None
    if file_problem(kind, obj, ns, name) is not None:
        return None
    return obj
