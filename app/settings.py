"""One typed settings object for the whole application.

Every field can be overridden by an environment variable named ``FLASHTUTOR_<FIELD>`` (for example
``FLASHTUTOR_DATABASE_URL``) or by a ``.env`` file in the working directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLASHTUTOR_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("flashtutor-data"),
        description="Where the embedded database and job results live.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file inside data_dir."
    )
    broker_url: str | None = Field(
        default=None, description="Celery broker, e.g. redis://127.0.0.1:6379/0; unset: in-process worker."
    )
    model_path: Path | None = Field(
        default=None, description="Folder with the official checkpoint (config.json, safetensors, tokenizer)."
    )
    device: str = Field(default="auto", description="'auto', 'cpu', 'cuda' or 'cuda:N'.")
    dtype: str = Field(
        default="auto", description="'auto' (bf16 on GPU, fp32 on CPU), 'bfloat16', 'float32'."
    )
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: str | None = Field(
        default=None, description="First-run 'admin' account password; unset: generated and printed once."
    )
    session_ttl_minutes: int = 12 * 60
    model_requests_per_minute: int = 20
    max_new_tokens: int = 4096
    temperature: float = 0.6
    top_p: float = 0.95

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str) -> str:
        if value not in ("auto", "cpu", "cuda") and not value.startswith("cuda:"):
            raise ValueError("device must be 'auto', 'cpu', 'cuda' or 'cuda:N'")
        return value

    @field_validator("dtype")
    @classmethod
    def _check_dtype(cls, value: str) -> str:
        if value not in ("auto", "bfloat16", "float32", "float16"):
            raise ValueError("dtype must be 'auto', 'bfloat16', 'float16' or 'float32'")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'flashtutor.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
