"""The deployment files stay in step with the code (the image itself is built in CI when
Docker is there)."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_image_copies_files_that_exist_and_runs_the_console_script() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    sources = [part for line in dockerfile.splitlines() if line.startswith("COPY ")
               and "--from=" not in line
               for part in line.split()[1:-1] if not part.startswith("--")]
    assert sources and all((ROOT / s).exists() for s in sources), sources
    assert 'ENTRYPOINT ["mythbot"]' in dockerfile
    assert 'mythbot = "bot.cli:main"' in (ROOT / "pyproject.toml").read_text()
    assert "USER mythbot" in dockerfile


def test_every_setting_the_code_reads_is_in_the_env_example() -> None:
    read = set()
    for path in (ROOT / "bot").rglob("*.py"):
        read |= set(re.findall(r"\b(MYTHBOT_[A-Z_]+|TELEGRAM_BOT_TOKEN)\b", path.read_text()))
    documented = set(re.findall(r"\b(MYTHBOT_[A-Z_]+|TELEGRAM_BOT_TOKEN)\b",
                                (ROOT / ".env.example").read_text()))
    assert read <= documented, sorted(read - documented)
