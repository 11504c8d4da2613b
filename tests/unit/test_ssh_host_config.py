"""serve-ssh and the config file: the host's file reaches every session, a reader's never does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.cli import build_parser, build_serve_parser
from tui_reader.ssh.server import settings_from_args


def serve_args(tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    """``serve-ssh`` arguments on an empty library in ``tmp_path``."""
    library = tmp_path / "library"
    library.mkdir(exist_ok=True)
    return build_serve_parser().parse_args(["--library", str(library), *extra])


def child_config(argv: list[str]) -> str | None:
    """The config a child is started with ("" for none at all)."""
    args = build_parser().parse_args(argv[3:])
    return "" if args.no_config else args.config


def test_the_hosts_named_config_goes_to_every_child(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "host.toml"
    config.write_text('plain = true\n[keys]\n"reader.nope" = "x"\n', encoding="utf-8")
    settings = settings_from_args(serve_args(tmp_path, "--config", str(config)))
    assert settings.config == config.resolve()
    assert child_config(settings.argv_for("key-abc", guest=False)) == str(config.resolve())
    assert child_config(settings.argv_for("guest-1", guest=True)) == str(config.resolve())
    # its problems are told once, on the host's stderr, at start
    assert capsys.readouterr().err.splitlines() == [
        f"config: {config}: [keys] unknown binding id 'reader.nope' (see 'tui-reader keys') "
        "(ignored)"
    ]


def test_the_environment_names_the_hosts_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "env.toml"
    config.write_text("plain = true\n", encoding="utf-8")
    monkeypatch.setenv("TUI_READER_CONFIG", str(config))
    settings = settings_from_args(serve_args(tmp_path))
    assert child_config(settings.argv_for("key-abc", guest=False)) == str(config.resolve())


def test_no_host_config_means_none_for_the_children(tmp_path: Path) -> None:
    """Without a file the child reads none (not one under its own HOME, the data dir)."""
    settings = settings_from_args(serve_args(tmp_path))
    assert settings.config is None
    assert child_config(settings.argv_for("key-abc", guest=False)) == ""


def test_a_missing_named_config_is_told_and_the_host_still_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    settings = settings_from_args(serve_args(tmp_path, "--config", str(missing)))
    assert settings.config is None
    assert capsys.readouterr().err.strip() == f"config: {missing}: no such file"
