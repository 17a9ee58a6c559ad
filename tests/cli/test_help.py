"""Every command and every create generator explains itself with an example."""
from __future__ import annotations

import click
import pytest

from kubelite.cli import main as cli_main
from tests.conftest import run_kubelite


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as e:
        cli_main.main(argv)
    assert e.value.code in (0, None)
    out = capsys.readouterr().out
    assert out.startswith("Usage: kubelite ")
    return out


def _leaves(group: click.Group, path: list[str]) -> list[list[str]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append(path + [name])
        if isinstance(cmd, click.Group):
            out += _leaves(cmd, path + [name])
    return out


def _create_subcommands() -> list[list[str]]:
    from kubelite.cli.create import create

    return _leaves(create, ["create"])


def _group_subcommands() -> list[list[str]]:
    """Subcommands of every other command group (rollout status, auth can-i, ...)."""
    out = []
    for verb in sorted(cli_main.COMMANDS):
        if verb == "create":
            continue
        cmd = cli_main.cli.get_command(None, verb)
        if isinstance(cmd, click.Group):
            out += _leaves(cmd, [verb])
    return out


@pytest.mark.parametrize("verb", sorted(cli_main.COMMANDS))
def test_every_command_has_help_with_an_example(verb, capsys):
    out = _help([verb, "--help"], capsys)
    assert "Example" in out, f"`kubelite {verb} --help` has no example"
    assert f"kubelite {verb}" in out


@pytest.mark.parametrize("path", _create_subcommands(), ids=lambda p: " ".join(p))
def test_every_create_subcommand_has_help_with_an_example(path, capsys):
    out = _help(path + ["--help"], capsys)
    assert "Example" in out
    assert f"kubelite {' '.join(path)}" in out


@pytest.mark.parametrize("path", _group_subcommands(), ids=lambda p: " ".join(p))
def test_every_subcommand_of_every_other_group_has_help_with_an_example(path, capsys):
    out = _help(path + ["--help"], capsys)
    assert "Example" in out


def test_create_covers_kubectls_generators():
    names = {" ".join(p[1:]) for p in _create_subcommands()}
    assert {"namespace", "deployment", "job", "cronjob", "configmap", "serviceaccount", "secret generic",
            "service clusterip"} <= names


def test_the_top_level_help_lists_every_command_through_the_real_command():
    rc, out, err = run_kubelite("--help")
    assert (rc, err) == (0, "")
    assert "Example" in out
    for verb in cli_main.COMMANDS:
        assert f"  {verb} " in out


def test_dash_h_is_help_too():
    rc, out, err = run_kubelite("get -h")
    assert rc == 0 and out.startswith("Usage: kubelite get")
