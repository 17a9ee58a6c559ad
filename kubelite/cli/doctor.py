"""`kubelite doctor`: check the state directory, and with --fix set aside what is broken.

What it looks for, in two groups:

files (what every command reads)
  bad-file          an object file that does not parse, is not an object, is the wrong kind
                    for its folder, or whose name/namespace is not its path (a hand edit, a
                    copied file, a truncation that still parses), or that fails its kind's
                    JSON Schema (skipped with --no-schema)
  temp-file         a temporary file a killed writer left behind (`.<name>.tmp-<pid>-<hex>`);
                    readers never take these for objects
  rv-counter        STATE/resource-version missing, not a number, or not above every
                    resourceVersion in the store (the next write could repeat one)

consistency (what the controllers keep)
  dangling-owner    an ownerReference to an owner that is gone (the garbage collector's job)
  duplicate-uid     two objects with one uid
  missing-namespace objects in a namespace that does not exist
  duplicate-pod-ip  two live pods with one IP
  duplicate-cluster-ip, duplicate-node-port
                    two Services with one ClusterIP or NodePort
  stale-allocation  a marker in STATE/allocations/ whose Service is gone or moved on
  unrecorded-allocation
                    a Service's ClusterIP or NodePort without its marker (another Service
                    could be given it)
  orphaned-claim    a PVC bound to a missing PV, a Bound PV whose claim is gone, a claim
                    bound twice, or a claim and volume that do not point at each other

--fix never deletes anything. Bad and temporary files and stale markers are moved into
STATE/quarantine/<UTC timestamp>/<same relative path> (outside registry/, so nothing reads
them; move one back to restore it), a missing marker is recorded, and the counter is set
above the highest resourceVersion found. Owner references, IPs and claims are left to
`kubelite reconcile`. Exit status: 0 when (after --fix) nothing is wrong, 1 otherwise.
"""
from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from kubelite.cli.context import global_options, obj
from kubelite.errors import KubeliteError

TEMP_FILE = re.compile(r"^\..+\.tmp-\d+-[0-9a-f]+$")
QUARANTINE = "quarantine"
FILE_CHECKS = ("bad-file", "temp-file", "rv-counter")


@dataclass
class Finding:
    check: str
    message: str
    path: str = ""  # relative to the state directory
    object: str = ""  # kind/namespace/name
    fixable: bool = False

    def line(self) -> str:
        where = self.path or self.object or "state directory"
        return f"{where}: {self.check}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    objects: int = 0
    max_rv: int = 0

    def add(self, check: str, message: str, *, path: str = "", object: str = "", fixable: bool = False) -> None:
        self.findings.append(Finding(check, message, path, object, fixable))


def _ref(kind, o: dict) -> str:
    m = o.get("metadata") or {}
    if kind.namespaced:
        return f"{kind.singular}/{m.get('namespace')}/{m.get('name')}"
    return f"{kind.singular}/{m.get('name')}"


class Doctor:
    def __init__(self, store, schema_check: bool = True):
        self.store = store
        self.root: Path = store.root
        self.schema_check = schema_check

    def rel(self, p: Path) -> str:
        return str(p.relative_to(self.root))

    # -- the walk ----------------------------------------------------------------------
    def check(self) -> Report:
        from kubelite.api import kinds

        r = Report()
        crd = kinds.by_kind("CustomResourceDefinition")

        def crds() -> list[dict]:  # the custom kinds this directory serves (bad CRD files are reported below)
            try:
                return self.store.list(crd)
            except KubeliteError:
                return []

        kinds.use_custom_source(self.root, crds)
        by_folder = {k.dir: k for k in kinds.all_kinds()}
        objects: dict[str, list[dict]] = defaultdict(list)  # kind name -> objects
        self._temp_files(r)
        registry = self.root / "registry"
        try:
            folders = sorted(os.scandir(registry), key=lambda e: e.name)
        except FileNotFoundError:
            r.add("bad-file", "no registry/ folder: not a kubelite state directory")
            return r
        for folder in folders:
            if folder.name.startswith(".") or not folder.is_dir(follow_symlinks=False):
                continue
            kind = by_folder.get(folder.name)
            if kind is not None and hasattr(self.store.cache, "table"):
                self.store.cache.table(kind.plural)  # read through the parse cache, as a listing does
            for path, ns in self._object_files(Path(folder.path), kind, r):
                o = self._read(kind, path, ns, r)
                if o is not None:
                    objects[kind.kind].append(o)
        self._rv_counter(r)
        self._owners(r, objects)
        self._namespaces(r, objects)
        self._pod_ips(r, objects)
        self._services(r, objects)
        self._claims(r, objects)
        return r

    def _temp_files(self, r: Report) -> None:
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel_dir = Path(dirpath).relative_to(self.root)
            if rel_dir.parts[:1] in ((QUARANTINE,), ("locks",)):
                dirnames[:] = []
                continue
            for n in sorted(filenames):
                if TEMP_FILE.match(n):
                    r.add("temp-file", "leftover temporary file of an interrupted write (never read as an object)",
                          path=str(rel_dir / n), fixable=True)

    def _object_files(self, folder: Path, kind, r: Report):
        """(path, namespace) of every object file in a kind's folder; misplaced files are findings."""
        def entries(d: Path):
            try:
                return sorted(os.scandir(d), key=lambda e: e.name)
            except OSError as e:
                r.add("bad-file", f"cannot read folder: {e.strerror}", path=self.rel(d))
                return []

        for e in entries(folder):
            p = Path(e.path)
            if e.name.startswith("."):
                self._hidden(p, r)
                continue
            if e.is_dir(follow_symlinks=False):
                if kind is not None and not kind.namespaced:
                    for f in entries(p):
                        if f.name.endswith(".yaml") and not f.name.startswith("."):
                            r.add("bad-file", f"{kind.plural} are cluster-scoped: a file in a namespace folder is never read",
                                  path=self.rel(Path(f.path)), fixable=True)
                    continue
                for f in entries(p):
                    if f.name.startswith("."):
                        self._hidden(Path(f.path), r)
                    elif f.name.endswith(".yaml") and f.is_file(follow_symlinks=False):
                        if kind is None:
                            r.add("bad-file", f"registry/{folder.name}/ is not a resource kubelite serves",
                                  path=self.rel(Path(f.path)), fixable=True)
                        else:
                            yield Path(f.path), e.name
            elif e.name.endswith(".yaml") and e.is_file(follow_symlinks=False):
                if kind is None:
                    r.add("bad-file", f"registry/{folder.name}/ is not a resource kubelite serves", path=self.rel(p), fixable=True)
                elif kind.namespaced:
                    r.add("bad-file", f"{kind.plural} are namespaced: a file outside a namespace folder is never read",
                          path=self.rel(p), fixable=True)
                else:
                    yield p, None

    def _hidden(self, path: Path, r: Report) -> None:
        """`.<name>.yaml`: an object file no listing reads (temporary files are reported apart)."""
        if path.name.endswith(".yaml") and not TEMP_FILE.match(path.name) and path.is_file():
            r.add("bad-file", "a hidden object file is never read (names may not start with '.')",
                  path=self.rel(path), fixable=True)

    def _read(self, kind, path: Path, ns: str | None, r: Report) -> dict | None:
        from kubelite.api.objectfile import file_problem, key_error
        from kubelite.errors import StateError

        rel = self.rel(path)
        name = path.name[:-len(".yaml")]
        try:
            o = self.store.read_path(path)
        except FileNotFoundError:
            return None  # removed while we looked
        except StateError as e:
            msg = e.message
            prefix = f"bad object file {path}: "
            msg = msg[len(prefix):] if msg.startswith(prefix) else msg
            msg = re.sub(r"^\(document \d+\): ", "", msg.replace(f'"{path}" ', "").replace(f'"{path}": ', ""))
            r.add("bad-file", msg, path=rel, fixable=True)
            return None
        problem = key_error(name) and f"file name {name!r} is not a valid object name ({key_error(name)})"
        problem = problem or file_problem(kind, o, ns, name)
        if problem is None and self.schema_check:
            from kubelite.admission import customresources
            from kubelite.api import schema

            errs = customresources.check(kind, o) if kind.custom else schema.validate(kind.kind, o)
            if errs:
                problem = "invalid object: " + "; ".join(str(e) for e in errs[:3]) + (f" (and {len(errs) - 3} more)" if len(errs) > 3 else "")
        if problem is not None:
            r.add("bad-file", problem, path=rel, fixable=True)
            return None
        r.objects += 1
        rv = (o.get("metadata") or {}).get("resourceVersion")
        if isinstance(rv, str) and rv.isdigit():
            r.max_rv = max(r.max_rv, int(rv))
        return o

    # -- the counter ------------------------------------------------------------------------
    def counter(self) -> tuple[int | None, str | None]:
        """(value, problem) of STATE/resource-version."""
        path = self.root / "resource-version"
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None, "missing"
        except (OSError, UnicodeDecodeError) as e:
            return None, f"unreadable ({getattr(e, 'strerror', None) or e})"
        try:
            return int(text.strip() or "x"), None
        except ValueError:
            return None, f"not a number: {text[:40]!r}"

    def _rv_counter(self, r: Report) -> None:
        value, problem = self.counter()
        if problem == "missing" and r.max_rv == 0:
            return  # nothing has been written yet
        if problem is None and value is not None and value < r.max_rv:
            problem = f"{value} is below the highest resourceVersion in the store ({r.max_rv}): the next write would repeat one"
        if problem is not None:
            r.add("rv-counter", f"corrupt resourceVersion counter: {problem}", path="resource-version", fixable=True)

    # -- consistency ------------------------------------------------------------------------------
    def _owners(self, r: Report, objects: dict[str, list[dict]]) -> None:
        from kubelite.api import kinds

        uids: dict[str, tuple] = {}
        by_key: dict[tuple, dict] = {}
        for kname, objs in objects.items():
            kind = kinds.by_kind(kname)
            for o in objs:
                m = o["metadata"]
                uid = m.get("uid")
                if uid:
                    if uid in uids:
                        r.add("duplicate-uid", f"uid {uid} is also {uids[uid][1]}", object=_ref(kind, o))
                    else:
                        uids[uid] = (kind, _ref(kind, o))
                by_key[(kname, m.get("namespace") if kind.namespaced else None, m.get("name"))] = o
        for kname, objs in objects.items():
            kind = kinds.by_kind(kname)
            for o in objs:
                m = o["metadata"]
                refs = m.get("ownerReferences") or []
                for ref in refs if isinstance(refs, list) else []:
                    if not isinstance(ref, dict):
                        continue
                    ok = kinds.for_object(ref.get("apiVersion"), ref.get("kind"))
                    owner = None
                    if ok is not None:
                        owner = by_key.get((ok.kind, m.get("namespace") if ok.namespaced else None, ref.get("name")))
                    if owner is None or (ref.get("uid") and (owner.get("metadata") or {}).get("uid") != ref.get("uid")):
                        r.add("dangling-owner", f"owner {ref.get('kind')}/{ref.get('name')} (uid {ref.get('uid')}) is gone; "
                              "`kubelite reconcile` collects it", object=_ref(kind, o))

    def _namespaces(self, r: Report, objects: dict[str, list[dict]]) -> None:
        from kubelite.api import kinds

        present = {o["metadata"].get("name") for o in objects.get("Namespace", [])}
        missing: dict[str, int] = defaultdict(int)
        for kname, objs in objects.items():
            if not kinds.by_kind(kname).namespaced:
                continue
            for o in objs:
                ns = o["metadata"].get("namespace")
                if ns not in present:
                    missing[ns] += 1
        for ns, n in sorted(missing.items()):
            r.add("missing-namespace", f"{n} object(s) in namespace {ns!r}, which does not exist", object=f"namespace/{ns}")

    def _pod_ips(self, r: Report, objects: dict[str, list[dict]]) -> None:
        seen: dict[str, str] = {}
        for p in objects.get("Pod", []):
            st, spec = p.get("status") or {}, p.get("spec") or {}
            ip = st.get("podIP")
            if not ip or spec.get("hostNetwork") or st.get("phase") in ("Succeeded", "Failed"):
                continue
            name = f"pod/{p['metadata'].get('namespace')}/{p['metadata'].get('name')}"
            if ip in seen:
                r.add("duplicate-pod-ip", f"IP {ip} is also {seen[ip]}'s", object=name)
            else:
                seen[ip] = name

    def _services(self, r: Report, objects: dict[str, list[dict]]) -> None:
        ips: dict[str, str] = {}
        ports: dict[str, str] = {}
        held: dict[tuple[str, str], str] = {}  # (clusterips|nodeports, key) -> ns/name
        for s in objects.get("Service", []):
            m, spec = s["metadata"], s.get("spec") or {}
            owner = f"{m.get('namespace')}/{m.get('name')}"
            name = f"service/{owner}"
            cips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
            for ip in cips if isinstance(cips, list) else []:
                if not ip or ip == "None":
                    continue
                if ip in ips and ips[ip] != name:
                    r.add("duplicate-cluster-ip", f"ClusterIP {ip} is also {ips[ip]}'s", object=name)
                ips.setdefault(ip, name)
                held[("clusterips", str(ip))] = owner
            node_ports = [(p["nodePort"], p.get("protocol", "TCP")) for p in spec.get("ports") or []
                          if isinstance(p, dict) and p.get("nodePort")] if isinstance(spec.get("ports") or [], list) else []
            if spec.get("healthCheckNodePort"):  # a Local load balancer's, allocated from the same range
                node_ports.append((spec["healthCheckNodePort"], "TCP"))
            for port, protocol in node_ports:
                key = f"{port}-{protocol}"
                if key in ports and ports[key] != name:
                    r.add("duplicate-node-port", f"NodePort {key} is also {ports[key]}'s", object=name)
                ports.setdefault(key, name)
                held[("nodeports", key)] = owner
        markers: dict[tuple[str, str], str] = {}
        for what in ("clusterips", "nodeports"):
            d = self.root / "allocations" / what
            try:
                names = sorted(e.name for e in os.scandir(d) if e.is_file() and not e.name.startswith("."))
            except FileNotFoundError:
                continue
            for n in names:
                try:
                    holder = (d / n).read_text().strip()
                except (OSError, UnicodeDecodeError):
                    holder = ""
                markers[(what, n)] = holder
                if held.get((what, n)) != holder:
                    why = f"held by {holder}, which has no such Service" if holder else "empty"
                    if (what, n) in held:
                        why = f"says {holder or 'nobody'}, but {held[(what, n)]} holds it"
                    r.add("stale-allocation", f"allocation marker {why}", path=f"allocations/{what}/{n}",
                          fixable=(what, n) not in held)
        for (what, key), owner in sorted(held.items()):
            if (what, key) not in markers:
                r.add("unrecorded-allocation", f"{'ClusterIP' if what == 'clusterips' else 'NodePort'} {key} has no marker in "
                      f"allocations/{what}/", object=f"service/{owner}", path=f"allocations/{what}/{key}", fixable=True)

    def _claims(self, r: Report, objects: dict[str, list[dict]]) -> None:
        pvs = {o["metadata"].get("name"): o for o in objects.get("PersistentVolume", [])}
        pvcs = {(o["metadata"].get("namespace"), o["metadata"].get("name")): o for o in objects.get("PersistentVolumeClaim", [])}
        bound_to: dict[tuple, list[str]] = defaultdict(list)
        for name, pv in sorted(pvs.items()):
            ref = (pv.get("spec") or {}).get("claimRef")
            if not isinstance(ref, dict) or not ref.get("name"):
                continue
            key = (ref.get("namespace") or "default", ref.get("name"))
            if (pv.get("status") or {}).get("phase") != "Bound":
                continue  # Available (pre-bound) and Released volumes may name a claim that is gone
            claim = pvcs.get(key)
            if claim is None or (ref.get("uid") and claim["metadata"].get("uid") != ref.get("uid")):
                r.add("orphaned-claim", f"Bound to claim {key[0]}/{key[1]}, which is gone", object=f"persistentvolume/{name}")
                continue
            bound_to[key].append(name)
        for key, names in sorted(bound_to.items()):
            if len(names) > 1:
                r.add("orphaned-claim", f"claim is bound by {len(names)} volumes: {', '.join(names)}",
                      object=f"persistentvolumeclaim/{key[0]}/{key[1]}")
        for key, pvc in sorted(pvcs.items()):
            vol = (pvc.get("spec") or {}).get("volumeName")
            if not vol:
                continue
            pv = pvs.get(vol)
            where = f"persistentvolumeclaim/{key[0]}/{key[1]}"
            if pv is None:
                r.add("orphaned-claim", f"bound to volume {vol}, which is gone", object=where)
                continue
            ref = (pv.get("spec") or {}).get("claimRef") or {}
            if isinstance(ref, dict) and ref.get("name") and ((ref.get("namespace") or "default"), ref.get("name")) != key:
                r.add("orphaned-claim", f"bound to volume {vol}, which is claimed by {ref.get('namespace')}/{ref.get('name')}",
                      object=where)

    # -- fixing ----------------------------------------------------------------------------
    def fix(self, report: Report, stamp: str) -> list[str]:
        """Quarantine bad and temporary files and stale markers, record missing markers, repair
        the counter. Under the store lock, so no writer is mid-way. Returns what was done."""
        done: list[str] = []
        with self.store.locked():
            qroot = self._quarantine_root(stamp)
            for f in report.findings:
                if not f.fixable:
                    continue
                if f.check in ("bad-file", "temp-file", "stale-allocation"):
                    src = self.root / f.path
                    dst = qroot / f.path
                    try:
                        dst.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                        if dst.exists():
                            continue
                        os.rename(src, dst)
                    except FileNotFoundError:
                        continue  # already gone (a writer finished or a reader moved on)
                    except OSError as e:
                        from kubelite.errors import StateError

                        raise StateError(f"cannot move {f.path} to {self.rel(dst)}: {e.strerror}") from None
                    if f.path.startswith("registry/"):
                        rel = f.path[len("registry/"):]
                        self.store.cache.drop(rel.split("/", 1)[0], rel)
                    done.append(f"moved {f.path} to {self.rel(dst)}")
                elif f.check == "unrecorded-allocation":
                    owner = f.object.split("/", 1)[1]
                    path = self.root / f.path
                    try:
                        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    except FileExistsError:
                        continue
                    with os.fdopen(fd, "w") as out:
                        out.write(owner)
                        out.flush()
                        os.fsync(out.fileno())
                    done.append(f"recorded {f.path} for {owner}")
            if any(f.check == "rv-counter" for f in report.findings):
                value, _ = self.counter()
                from kubelite.store.store import RV_BLOCK

                new = max(report.max_rv, value or 0) + RV_BLOCK
                counter = self.root / "resource-version"
                if counter.exists():  # keep the old counter too: --fix never throws anything away
                    import shutil

                    kept = qroot / "resource-version"
                    kept.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    shutil.copy2(counter, kept)
                    done.append(f"kept the old counter as {self.rel(kept)}")
                _atomic_write(counter, f"{new}\n")
                done.append(f"set resource-version to {new} (was {value if value is not None else 'unreadable'}; "
                            f"highest in the store {report.max_rv})")
        return done

    def _quarantine_root(self, stamp: str) -> Path:
        base = self.root / QUARANTINE / stamp
        n = 1
        out = base
        while out.exists():  # a second run in the same second (or a pinned clock)
            n += 1
            out = base.with_name(f"{stamp}-{n}")
        return out


def _atomic_write(path: Path, text: str) -> None:
    import secrets

    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, text.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as e:
        try:
            tmp.unlink()
        except OSError:
            pass
        from kubelite.errors import StateError

        raise StateError(f"cannot write {path}: {e.strerror}") from None


@click.command()
@click.option("--fix", is_flag=True, help="Move bad and temporary files to STATE/quarantine/, record missing "
              "allocation markers and repair the resourceVersion counter. Never deletes anything.")
@click.option("--no-schema", is_flag=True, help="Skip the JSON Schema check of every object (faster on large stores).")
@click.option("-o", "--output", type=click.Choice(["json"]), default=None, help="json: the findings for scripts.")
@global_options
def doctor(fix, no_schema, output):
    """Check the state directory: bad object files, leftover temporary files, dangling owner
    references, duplicate IPs and ports, stale allocations, orphaned claims and the
    resourceVersion counter.

    Exit status 0 means nothing is wrong (after --fix, nothing is left wrong), 1 means
    problems were found. --fix moves bad files into STATE/quarantine/<timestamp>/ and never
    deletes anything; owner references, IPs and claims are left to `kubelite reconcile`.

    \b
    Examples:
      kubelite doctor
      kubelite doctor --fix
      kubelite doctor -o json
    """
    from kubelite.cli.context import OPENED
    from kubelite.errors import Forbidden, StateError
    from kubelite.store import Store

    c = obj()
    if c.as_user or c.as_groups or c.token:
        raise Forbidden("doctor reads every file of the state directory: it runs only as the directory's administrator")
    root = c.state_dir
    if not (root / "registry").is_dir():
        raise StateError(f"{root} is not a kubelite state directory")
    store = Store(root, c.clock)
    OPENED.append(store)
    doc = Doctor(store, schema_check=not no_schema)
    done: list[str] = []
    if fix:
        # Judge and fix under the store lock, so no file changes between the two.
        with store.locked():
            report = doc.check()
            if any(f.fixable for f in report.findings):
                done = doc.fix(report, c.clock.now().strftime("%Y%m%dT%H%M%SZ"))
                remaining = doc.check().findings
            else:
                remaining = report.findings
    else:
        report = doc.check()
        remaining = report.findings
    if output == "json":
        click.echo(json.dumps({
            "stateDir": str(root), "objects": report.objects, "clean": not remaining,
            "problems": [asdict(f) for f in report.findings], "fixed": done,
            "remaining": [asdict(f) for f in remaining],
        }, indent=2, sort_keys=True))
    else:
        for f in report.findings:
            click.echo(f.line())
        for d in done:
            click.echo(d)
        if not report.findings:
            click.echo(f"no problems found ({report.objects} objects)")
        elif fix:
            left = len(remaining)
            click.echo(f"{len(report.findings)} problem(s) found, {left} left" +
                       (" (run `kubelite reconcile` for the rest)" if left else ""))
        else:
            fixable = sum(f.fixable for f in report.findings)
            click.echo(f"{len(report.findings)} problem(s) found" +
                       (f"; `kubelite doctor --fix` sets aside or repairs {fixable}" if fixable else ""))
    raise click.exceptions.Exit(1 if remaining else 0)
