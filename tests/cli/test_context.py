"""Which state directory a command uses, how it is created, and global options."""
from __future__ import annotations

import stat

from kubelite.apiserver import SYSTEM_NAMESPACES
from tests.conftest import assert_every_object_valid, one_line, run_kubelite

NS = sorted(SYSTEM_NAMESPACES)


def ns_names(out: str) -> list[str]:
    return [line.split("/", 1)[1] for line in out.split()]


def test_a_new_state_directory_is_private_and_holds_the_system_namespaces(tmp_path):
    state = tmp_path / "new"
    rc, out, err = run_kubelite("get ns -o name", state=state)
    assert (rc, err) == (0, "")
    assert ns_names(out) == NS
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert sorted(p.stem for p in (state / "registry/namespaces").glob("*.yaml")) == NS
    assert assert_every_object_valid(state) >= 4
    assert not [p for p in state.parent.iterdir() if p.name.startswith(".state.init-")]


def test_state_dir_flag_beats_the_environment_which_beats_home(tmp_path):
    home, env_dir, flag_dir = tmp_path / "home", tmp_path / "env", tmp_path / "flag"
    home.mkdir()
    base = {"HOME": str(home)}
    # ~/.kubelite when nothing else is said
    assert run_kubelite("create namespace from-home", env=base).rc == 0
    assert (home / ".kubelite/registry/namespaces/from-home.yaml").exists()
    # $KUBELITE_STATE_DIR beats ~/.kubelite
    assert run_kubelite("create namespace from-env", env={**base, "KUBELITE_STATE_DIR": str(env_dir)}).rc == 0
    assert (env_dir / "registry/namespaces/from-env.yaml").exists()
    assert not (home / ".kubelite/registry/namespaces/from-env.yaml").exists()
    # --state-dir beats both, before or after the verb
    env = {**base, "KUBELITE_STATE_DIR": str(env_dir)}
    assert run_kubelite(["--state-dir", flag_dir, "create", "namespace", "from-flag"], env=env).rc == 0
    assert run_kubelite(["create", "namespace", "also-flag", f"--state-dir={flag_dir}"], env=env).rc == 0
    assert sorted(p.stem for p in (flag_dir / "registry/namespaces").glob("*.yaml")) == sorted(NS + ["also-flag", "from-flag"])
    assert not (env_dir / "registry/namespaces/from-flag.yaml").exists()


def test_the_environment_variable_alone_selects_the_directory(kl, state):
    assert kl("create namespace via-env", via_env=True) == (0, "namespace/via-env created\n", "")
    assert (state / "registry/namespaces/via-env.yaml").exists()


def test_global_options_stand_before_or_after_the_verb_and_its_generator(kl, state):
    assert kl("-n kube-public create configmap a --from-literal=x=y") == (0, "configmap/a created\n", "")
    assert kl("create configmap b -n kube-public --from-literal=x=y") == (0, "configmap/b created\n", "")
    assert kl("--namespace kube-public get cm -o name") == (0, "configmap/a\nconfigmap/b\n", "")


def test_global_options_before_the_verb_do_not_leak_into_a_command_after_double_dash(kl, state):
    rc, out, err = kl("-n kube-system create job pi --image=perl -- perl -e 'print 1'")
    assert (rc, err) == (0, "")
    rc, out, _ = kl("-n kube-system get job pi -o jsonpath={.spec.template.spec.containers[0].command}")
    assert out == '["perl","-e","print 1"]'


def test_impersonation_flags_are_accepted_before_or_after_the_verb(kl):
    # Whether alice may list namespaces is RBAC's business; the flags themselves must parse.
    for args in ("get ns -o name --as=alice --as-group=devs --as-group=ops", "--as alice get ns -o name"):
        rc, out, err = kl(args)
        assert "No such option" not in err
        assert rc == 0 or one_line(err).startswith('Error from server (Forbidden): namespaces is forbidden: User "alice"')


def test_a_state_directory_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    rc, out, err = run_kubelite(["get", "ns", "--state-dir", blocker / "state"])
    assert rc == 1 and err.startswith("error: cannot create state directory") and len(err.splitlines()) == 1
