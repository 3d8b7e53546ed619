"""Where mythbot reads and writes: decided in bot/paths.py, never inside the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import paths
from bot.telegram.config import ConfigError, config_from


def test_the_database_defaults_to_the_users_data_folder(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path)}
    assert paths.default_db(env) == tmp_path / "mythbot" / "mythbot.sqlite3"
    assert paths.default_db({"MYTHBOT_DB": "/srv/x.sqlite3"}) == Path("/srv/x.sqlite3")
    assert paths.PROJECT / "bot" not in paths.default_db({}).parents


def test_models_cache_in_the_users_cache_folder_or_nowhere(tmp_path: Path) -> None:
    assert paths.model_cache({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "mythbot"
    assert paths.model_cache({"MYTHBOT_CACHE": "off"}) is None


def test_content_comes_from_the_option_then_the_environment(tmp_path: Path) -> None:
    assert paths.content_folder(str(tmp_path), {"MYTHBOT_CONTENT": "/nope"}) == tmp_path
    assert paths.content_folder(None, {"MYTHBOT_CONTENT": str(tmp_path)}) == tmp_path


@pytest.mark.parametrize("raw", ["notanumber", "²", "٨٤٤٣", "0", "70000"])
def test_a_bad_port_is_a_one_line_configuration_error(raw: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYTHBOT_PORT", raw)
    with pytest.raises(ConfigError, match="MYTHBOT_PORT must be a port number"):
        config_from(token="1:x", content=Path("."), db="x.sqlite3")


def test_json_logs_are_one_object_per_line_without_the_token() -> None:
    import json
    import logging

    from bot.telegram.config import Config, JsonFormatter

    config = Config(token="123456:SECRETSECRETSECRET", content=Path("."), db=Path("x"))
    formatter = JsonFormatter("%(message)s", config.token)
    record = logging.LogRecord("bot.x", logging.WARNING, __file__, 1,
                               "calling https://api.telegram.org/bot%s/getMe", (config.token,),
                               None)
    entry = json.loads(formatter.format(record))
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.x"
    assert "SECRET" not in json.dumps(entry) and "[token]" in entry["message"]
