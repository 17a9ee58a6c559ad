"""`kubelite reconcile`: every controller once, in a fixed order, each isolated from the others.

Exit codes (also in README):
  0  the pass (or every pass) ran cleanly
  1  degraded: a controller or an object failed; everything else still ran
  3  another reconcile holds the lock; nothing was done
  4  --until-stable ran out of passes before a pass wrote nothing
"""
from __future__ import annotations

import gc
import importlib
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from kubelite.errors import Busy, KubeliteError, StateError, UsageError
from kubelite.runtime import quiet
from kubelite.runtime.context import Change, PassContext, Problem
from kubelite.runtime.snapshot import Snapshot

# The documented order: namespaces and node heartbeats first, then workloads top-down (CronJob makes Jobs,
# Deployments make ReplicaSets, both make Pods), then placement and the kubelet, and
# garbage collection last, so one pass carries a new Deployment to running pods.
ORDER: list[tuple[str, str]] = [
    ("namespace", "kubelite.controllers.namespace"),
    ("crd", "kubelite.controllers.crd"),
    ("serviceaccount", "kubelite.controllers.serviceaccount"),
    ("resourcequota", "kubelite.controllers.resourcequota"),
    ("kubelet-node", "kubelite.controllers.kubeletnode"),
    ("nodelifecycle", "kubelite.controllers.nodelifecycle"),
    ("podgc", "kubelite.controllers.podgc"),
    ("cronjob", "kubelite.controllers.cronjob"),
    ("job", "kubelite.controllers.job"),
    ("deployment", "kubelite.controllers.deployment"),
    ("replicaset", "kubelite.controllers.replicaset"),
    ("replicationcontroller", "kubelite.controllers.replicationcontroller"),
    ("statefulset", "kubelite.controllers.statefulset"),
    ("daemonset", "kubelite.controllers.daemonset"),
    ("volumebinder", "kubelite.controllers.volumebinder"),
    ("scheduler", "kubelite.controllers.scheduler"),
    ("kubelet", "kubelite.controllers.kubelet"),
    ("disruption", "kubelite.controllers.disruption"),
    ("horizontalpodautoscaler", "kubelite.controllers.horizontalpodautoscaler"),
    ("endpoints", "kubelite.controllers.endpoints"),
    ("clusterrole-aggregation", "kubelite.controllers.clusterroleaggregation"),
    ("garbagecollector", "kubelite.controllers.garbagecollector"),
    ("federation", "kubelite.controllers.federation"),
]
_MODULES = dict(ORDER)
EXIT_OK, EXIT_DEGRADED, EXIT_BUSY, EXIT_UNSTABLE = 0, 1, 3, 4
CATCH_UP_ROUNDS = 3
COMMIT_AFTER = 10.0  # seconds a pass may keep CLI writers waiting before it commits
LET_WAITERS_IN = 0.1  # more than two of filelock's 50 ms polls


def available() -> list[str]:
    """Controllers whose module exists in this build, in order."""
    out = []
    for name, module in ORDER:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue
            raise
        out.append(name)
    return out


@dataclass
class PassResult:
    number: int
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    writes: int = 0
    conflicts: int = 0
    seconds: float = 0.0
    due: tuple[float, str] | None = None  # the earliest requeue_after of the pass: (epoch seconds, why)
    # The same, apart for controllers that declare FOCUSED (a focused pass visits only some of
    # their objects) and the others (they look at everything in every pass): runtime/focus.py
    due_focused: float | None = None
    due_rest: float | None = None
    began: dict | None = None  # what the pass started from (runtime/quiet.py)
    at: float = 0.0  # the clock's time of the pass, as epoch seconds
    focused: bool = False  # a focused pass (runtime/focus.py): only what changed was visited


@dataclass
class RunResult:
    passes: list[PassResult] = field(default_factory=list)
    stable: bool = False
    quiet: bool = False  # no pass was needed: nothing changed since a quiet pass and nothing is due

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.passes for p in r.problems]

    @property
    def changes(self) -> list[Change]:
        return [c for r in self.passes for c in r.changes]

    def exit_code(self, until_stable: bool) -> int:
        if self.problems:
            return EXIT_DEGRADED
        if until_stable and not self.stable:
            return EXIT_UNSTABLE
        return EXIT_OK

    def summary(self) -> dict:
        return {
            **({"quiet": True} if self.quiet else {}),
            "passes": len(self.passes),
            "stable": self.stable,
            "writes": sum(p.writes for p in self.passes),
            "conflicts": sum(p.conflicts for p in self.passes),
            "changes": [{"pass": p.number, "controller": c.controller, "object": c.object, "message": c.message}
                        for p in self.passes for c in p.changes],
            "errors": [{"pass": p.number, "controller": e.controller, "object": e.object, "error": e.error}
                       for p in self.passes for e in p.problems],
        }


class _Commits:
    """A pass's group commits: normally one, at the end of the pass.

    The store lock is held while a commit's batch is open, so CLI writers wait. When the
    batch has been open COMMIT_AFTER seconds and a CLI writer is waiting, it is committed
    at the next controller boundary and the lock is left free for a moment.

    A commit that fails writes nothing (see Store._commit) while the pass's snapshot
    already holds what it would have written, so the pass ends there: `failed`.
    """

    def __init__(self, store, result: PassResult, on_problem: Callable[[Problem], None]):
        self.store, self.result, self.on_problem = store, result, on_problem
        self._batch = None
        self._opened = 0.0
        self.failed = False

    def open(self) -> None:
        """Raises KubeliteError when the store lock cannot be had."""
        if self._batch is None:
            batch = self.store.batch(defer=True)
            batch.__enter__()
            self._batch, self._opened = batch, time.monotonic()

    def maybe_close(self) -> None:
        if self._batch is not None and time.monotonic() - self._opened > COMMIT_AFTER and self.store.has_waiters():
            if self.close():
                time.sleep(LET_WAITERS_IN)

    def close(self) -> bool:
        batch, self._batch = self._batch, None
        if batch is None:
            return True
        try:
            batch.__exit__(None, None, None)
        except KubeliteError as e:  # the next pass retries
            self.failed = True
            self.report(e)
            return False
        return True

    def report(self, e: KubeliteError) -> None:
        p = Problem("store", "", e.message)
        self.result.problems.append(p)
        self.on_problem(p)


class Runner:
    def __init__(self, api, controllers: list[str] | None = None,
                 on_change: Callable[[Change], None] | None = None,
                 on_problem: Callable[[Problem], None] | None = None, full: bool = False,
                 skip_if_quiet: bool = False, followed=None):
        self.api = api
        # A long-running process's position in the change journal (runtime/focus.py): with
        # it, a pass after a few changes visits what they touch. Never with `full`.
        self.followed = followed if not full else None
        self.full = full  # look at every object file for hand edits, not only in folders that changed
        # Skip the pass when nothing changed since a quiet pass and nothing is due (runtime/quiet.py);
        # never with `full`. The CLI asks for it; a library caller opts in.
        self.skip_if_quiet = skip_if_quiet and not full
        names = available()
        self.complete = not controllers  # every controller runs: only such a pass is recorded as quiet
        if controllers:
            unknown = [c for c in controllers if c not in names]
            if unknown:
                raise UsageError(f"unknown controller(s) {', '.join(unknown)}; known: {', '.join(names)}")
            names = [n for n in names if n in controllers]
        self.names = names
        self.on_change = on_change or (lambda c: None)
        self.on_problem = on_problem or (lambda p: None)
        self._bad_files: set = set()

    def run_pass(self, number: int, changes: list | None = None, snap: Snapshot | None = None,
                 old: dict | None = None, looked: PassResult | None = None) -> PassResult:
        """One pass of the controllers; focused on what `changes` (the journal's, since the
        last pass) touch when given (runtime/focus.py), else over everything.

        snap: a snapshot that outlived its pass, already refreshed (its objects before the
        refresh in `old`); else the pass loads its own. looked: the hand-edit look already
        made for this pass (its findings are this pass's); else the pass makes it."""
        result = PassResult(number)
        start = time.perf_counter()
        if self.complete and changes is None:
            result.began = quiet.start(self.api.store.root)  # before the pass reads anything
        result.at = self.api.clock.now().timestamp()
        if snap is None:
            snap = Snapshot(self.api)
        else:
            snap.begin()
        if changes is not None:
            from kubelite.runtime.focus import focus_from

            snap.focus = focus_from(snap, changes, old)
            result.focused = True
        store = self.api.store
        bad_seen = self._bad_files  # reported once a run, not once a pass

        def bad_file(bad) -> None:
            if bad.path in bad_seen:
                return
            bad_seen.add(bad.path)
            p = Problem("store", str(bad.path), bad.error.split(": ", 1)[-1] + " (skipped)")
            result.problems.append(p)
            self.on_problem(p)

        previous = store.on_bad_file
        store.on_bad_file = bad_file
        commit = _Commits(store, result, self.on_problem)
        try:
            if looked is None:
                self._adopt_hand_edits(result)
            else:
                result.changes += looked.changes
                result.problems += looked.problems
                result.writes += looked.writes
            # Group commits: an object that several controllers change in a pass (created,
            # bound, started) is written once, and the writes become durable together.
            seen: dict[str, list[int]] = {}
            try:
                if all(self._step(name, snap, result, seen, commit) for name in self.names):
                    self._catch_up(snap, result, seen, commit)
            except KubeliteError as e:  # no store lock: nothing more can be written this pass
                commit.report(e)
        finally:
            try:
                commit.close()
            finally:
                snap.focus = None  # the focus refers to the snapshot: no cycle outlives the pass
                store.on_bad_file = previous
                # A long-running process saves the parse cache (for the CLI's next command)
                # after its whole passes only: a focused pass reads next to nothing through it.
                if changes is None:
                    store.flush_cache(fold_recent=True)
        result.seconds = time.perf_counter() - start
        return result

    def _adopt_hand_edits(self, result: PassResult) -> None:
        """Give files edited by hand a fresh resourceVersion first, so the pass's writes
        check against it and the journal's watchers see the edit (Store.adopt_hand_edits)."""
        from kubelite.api import kinds

        try:
            adopted = self.api.store.adopt_hand_edits(full=self.full)
        except KubeliteError as e:
            p = Problem("store", "", e.message)
            result.problems.append(p)
            self.on_problem(p)
            return
        how = {"ADDED": "created by hand", "MODIFIED": "edited by hand", "DELETED": "removed by hand"}
        for c in adopted:
            try:
                what = kinds.resolve(f"{c.plural}.{c.group}" if c.group else c.plural).qualified
            except KubeliteError:
                what = c.plural
            where = f" -n {c.namespace}" if c.namespace not in ("", "default") else ""
            ch = Change("store", f"{what}/{c.name}{where}", f"{how[c.type]}: journaled as resourceVersion {c.rv}")
            result.changes.append(ch)
            self.on_change(ch)
        result.writes += len(adopted)

    def _watches(self, name: str) -> tuple[str, ...]:
        return getattr(importlib.import_module(_MODULES[name]), "WATCHES", ())

    def _step(self, name: str, snap: Snapshot, result: PassResult, seen: dict[str, list[int]],
              commit: "_Commits") -> bool:
        """Run one controller inside the pass's commit and note what it has seen; False
        when the commit failed and the pass must end."""
        commit.open()
        self._sync(name, snap, result)
        seen[name] = [snap.changes[k] for k in self._watches(name)]
        commit.maybe_close()
        return not commit.failed

    def _catch_up(self, snap: Snapshot, result: PassResult, seen: dict[str, list[int]], commit: "_Commits") -> None:
        """Re-run, in order, each controller whose watched kinds changed after it ran.

        Upstream a ReplicaSet's status follows its pods as soon as the kubelet reports
        them, and a Deployment's follows its ReplicaSets: informers deliver the change.
        Here the kubelet runs after the ReplicaSet controller, so without this a pass
        would leave statuses one or two passes behind. Bounded: what is still changing
        after CATCH_UP_ROUNDS rounds is left to the next pass.
        """
        for _ in range(CATCH_UP_ROUNDS):
            ran = False
            for name in self.names:
                watched = self._watches(name)
                if watched and [snap.changes[k] for k in watched] != seen[name]:
                    if not self._step(name, snap, result, seen, commit):
                        return
                    ran = True
            if not ran:
                return

    def _sync(self, name: str, snap: Snapshot, result: PassResult) -> None:
        """One controller, isolated: its failure is reported and the pass goes on."""
        ctx = PassContext(self.api, snap, name)
        module = importlib.import_module(_MODULES[name])
        focused = getattr(module, "FOCUSED", False)
        if focused:
            ctx.focus = snap.focus
        try:
            module.sync(ctx)
        except KubeliteError as e:
            ctx.problem(None, e.message)
        except Exception as e:  # one controller's failure never stops the others
            tb = traceback.extract_tb(e.__traceback__)[-1]
            ctx.problem(None, f"{type(e).__name__}: {e} (at {tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})")
        for c in ctx.changes:
            self.on_change(c)
        for p in ctx.problems:
            self.on_problem(p)
        result.changes += ctx.changes
        result.problems += ctx.problems
        result.writes += ctx.writes
        result.conflicts += ctx.conflicts
        if ctx.due is not None:
            if result.due is None or ctx.due[0] < result.due[0]:
                result.due = ctx.due
            if focused:
                if result.due_focused is None or ctx.due[0] < result.due_focused:
                    result.due_focused = ctx.due[0]
            elif result.due_rest is None or ctx.due[0] < result.due_rest:
                result.due_rest = ctx.due[0]

    def run(self, until_stable: bool = False, max_passes: int = 20) -> RunResult:
        out = RunResult()
        # A pass allocates a dict per object and frees them all at its end; the cyclic
        # collector would re-scan that whole live heap again and again while it grows
        # (about a fifth of a pass at 10,000 pods). Objects are acyclic JSON, so collect
        # once between passes instead, when the pass's objects are already gone.
        collecting = gc.isenabled()
        gc.disable()
        # Controllers are the control plane, not the user who started the run: their
        # requests are neither authorized as that user nor audited under their name.
        who, self.api.identity = self.api.identity, None
        try:
            with self.lock():
                now = self.api.clock.now().timestamp()
                if self.skip_if_quiet and self.complete and quiet.is_quiet(self.api.store.root, now):
                    out.stable = out.quiet = True
                elif self.followed is not None and self.complete:
                    self._run_followed(out, now)
                else:
                    self._run(out, until_stable, max_passes)
        finally:
            self.api.identity = who
            if collecting:
                gc.enable()
        return out

    def _run(self, out: RunResult, until_stable: bool, max_passes: int) -> None:
        n = 0
        while True:
            n += 1
            r = self.run_pass(n)
            gc.collect()
            out.passes.append(r)
            self._record_quiet(r)
            if r.writes == 0 and r.conflicts == 0:
                out.stable = True
                break
            if not until_stable or n >= max_passes:
                break
            if self.api.store.has_waiters():
                time.sleep(LET_WAITERS_IN)  # a CLI writer waited for this pass: let it in

    def _run_followed(self, out: RunResult, now: float) -> None:
        """One pass for a long-running process: none, focused or whole (runtime/focus.py).

        Files edited by hand are looked for first, so one is adopted even when nothing else
        changed; any adopted makes the pass whole (no cache is trusted after a hand edit)."""
        f = self.followed
        looked = PassResult(1)
        self._adopt_hand_edits(looked)
        how, changes = f.plan(self.api.store, now)
        if looked.writes or looked.problems:
            how, changes = "full", None
        if how == "skip":
            out.stable = out.quiet = True
            return
        snap, old = None, None
        if how == "focus":
            old = f.refreshed(changes)
            if old is None:
                how, changes = "full", None
            else:
                snap = f.cache
        if how == "full":
            f.started(self.api.store)
            snap = Snapshot(self.api)
        r = self.run_pass(1, changes, snap, old, looked)
        out.passes.append(r)
        f.finished(r, how == "full", snap)
        if how == "full":  # a focused pass frees little; the collector runs on its own after run()
            if f.freeze:
                gc.unfreeze()  # what the last whole pass froze: its cache is gone, its cycles may be garbage
            gc.collect()
            if f.freeze and f.cache is not None:
                # The cache lives until the next whole pass: out of the cyclic collector's way,
                # so the full collections that requests and focused passes set off, which stop
                # every thread, do not scan it each time.
                gc.freeze()
        if how == "full" and f.cache is not None:
            # What controllers derive from the snapshot and keep up to date as it changes
            # (a module's `warm`), computed now rather than in the next pass, which a
            # client is waiting for.
            for name in self.names:
                warm = getattr(importlib.import_module(_MODULES[name]), "warm", None)
                try:
                    if warm is not None:
                        warm(f.cache)
                except Exception:  # the next pass is whole and computes it itself
                    f.forget()
                    break
        if how == "full":
            self._record_quiet(r)
        out.stable = r.writes == 0 and r.conflicts == 0

    def _record_quiet(self, r: PassResult) -> None:
        """After a pass of every controller: record it when it was quiet (nothing written, no
        conflict, no error, every controller reporting its waits), else forget the last record."""
        if not self.complete:
            return  # a subset that wrote moved the folders anyway; one that did not changes nothing
        root = self.api.store.root
        reports = all(getattr(importlib.import_module(_MODULES[n]), "REQUEUES", False) for n in self.names)
        if r.writes or r.conflicts or r.problems or not reports or r.began is None:
            quiet.forget(root)
            return
        due, why = r.due if r.due is not None else (None, "")
        quiet.record(root, r.began, r.at, due, why)

    def lock(self):
        """The reconcile lock: a second reconcile exits at once instead of waiting."""
        from contextlib import contextmanager

        from filelock import FileLock, Timeout

        root = self.api.store.root

        @contextmanager
        def held():
            lockdir = root / "locks"
            try:
                lockdir.mkdir(mode=0o700, exist_ok=True)
                lock = FileLock(str(lockdir / "reconcile.lock"))
                lock.acquire(timeout=0)
            except Timeout:
                raise Busy(f"another reconcile is running on {root} (lock {lockdir / 'reconcile.lock'}); nothing was done") from None
            except OSError as e:
                raise StateError(f"cannot lock state directory {root}: {e.strerror}") from None
            try:
                yield
            finally:
                lock.release()

        return held()
