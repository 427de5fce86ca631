# Two entry points: `make render` and `make test`. Both create .venv and
# install the pinned dependencies (and missing system packages) first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT    := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: render test lint bench system-deps test-deps clean goldens

render: $(STAMP)
	$(BIN)/tierdraw build specs --output output

test: $(STAMP) test-deps
	$(BIN)/ruff check renderer tests bench
	$(BIN)/ruff format --check renderer tests bench
	$(BIN)/tierdraw build --check specs --output output
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check renderer tests bench
	$(BIN)/ruff format --check renderer tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Regenerate the golden SVGs after reviewing the change by eye.
goldens: $(STAMP)
	$(BIN)/python -m pytest tests/test_golden.py --update-goldens

$(STAMP): pyproject.toml requirements.lock
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# cairo draws PNG and PDF; it is a system library, not a Python package.
system-deps:
	@ldconfig -p | grep -q 'libcairo\.so\.2' || { $(APT) update && $(APT) install -y libcairo2; }

# The tests read PDFs back with poppler (pdftotext, pdffonts, pdfinfo), ask
# fontconfig what it resolves (fc-match), compare against DejaVu Sans to prove
# that cairo draws our font and not the system's, and drive Debian's headless
# Chromium against the live preview (Playwright uses it; it downloads nothing).
test-deps:
	@command -v pdftotext >/dev/null && command -v pdffonts >/dev/null && \
	command -v fc-match >/dev/null && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && \
	[ -x /usr/bin/chromium ] || \
		{ $(APT) update && $(APT) install -y poppler-utils fontconfig fonts-dejavu-core chromium; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
