import stat

from scaffold.envfile import fill_placeholders, write_env


def test_each_placeholder_gets_its_own_long_secret() -> None:
    example = "# comment=change-me\nSECRET_KEY=change-me\nOTHER=change-me\nKEEP=value\n"
    filled = fill_placeholders(example)
    values = dict(line.split("=", 1) for line in filled.splitlines() if not line.startswith("#"))
    assert values["KEEP"] == "value"
    assert values["SECRET_KEY"] != values["OTHER"]
    assert len(values["SECRET_KEY"]) >= 60
    assert "change-me" not in values.values()
    assert filled.startswith("# comment=change-me\n")


def test_env_is_written_with_mode_0600(tmp_path) -> None:
    (tmp_path / ".env.example").write_text("SECRET_KEY=change-me\n", encoding="utf-8")
    written = write_env(tmp_path)
    assert written == tmp_path / ".env"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert "change-me" not in written.read_text(encoding="utf-8")


def test_no_example_means_no_env(tmp_path) -> None:
    assert write_env(tmp_path) is None
    assert not (tmp_path / ".env").exists()
