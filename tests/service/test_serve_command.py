"""``fakecheck serve`` is registered through the entry-point group and fails fast on bad
settings, before anything listens."""

from __future__ import annotations

from click.testing import CliRunner

from model.cli import main


def test_serve_is_a_fakecheck_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "serve" in result.output
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--port" in help_text and "--config" in help_text


def test_bad_settings_stop_serve_with_a_message(tmp_path):
    config = tmp_path / "fakecheck.toml"
    config.write_text("prot = 80\n")
    result = CliRunner().invoke(main, ["serve", "--config", str(config)])
    assert result.exit_code == 1 and "unknown setting(s): prot" in result.output
    result = CliRunner().invoke(main, ["serve"], env={"FAKECHECK_PORT": "http"})
    assert result.exit_code == 1 and "setting port" in result.output
