#!/usr/bin/env bash
# Install FlashTutor with its test extras into .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# torch first, pinned, so pip does not pull a multi-GB CUDA build where a CPU wheel is available.
.venv/bin/pip install -q "torch==2.13.0"
.venv/bin/pip install -q -e ".[test]"
# The browser tests drive Debian's Chromium through Playwright (Playwright never downloads a browser).
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
# The accessibility tests run axe-core, an npm package (pinned in tests/browser/package-lock.json).
command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq npm)
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
# The fault tests start and kill a private redis-server of their own (never the shared one).
command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
