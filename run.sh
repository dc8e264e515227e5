#!/usr/bin/env bash
# Set up, index corpus/ (only what changed), and open the chat UI on http://127.0.0.1:7860.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/python -m index build --prune
exec .venv/bin/python app.py
