# Two commands for users: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# With TELEGRAM_BOT_TOKEN: the Telegram bot. Without: the console chat, same engine.
run: $(VENV)/.installed
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
		exec $(BIN)/mythbot run; \
	else \
		echo "No TELEGRAM_BOT_TOKEN set: starting the console chat (Ctrl-D or /quit to leave)."; \
		exec $(BIN)/mythbot chat; \
	fi

test: $(VENV)/.installed
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/mypy bot
	$(BIN)/python -m pytest -q -n auto

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
