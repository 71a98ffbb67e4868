"""One typed settings object for the whole application.

Every field can be overridden by an environment variable named ``FLASHTUTOR_<FIELD>`` (for example
``FLASHTUTOR_DATABASE_URL``) or by a ``.env`` file in the working directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ByteSize, Field, SecretStr, field_validator
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
        default=None,
        description="Folder with the official checkpoint (config.json, safetensors, tokenizer), or a Hub id "
        "such as microsoft/Phi-4-mini-flash-reasoning already in the local Hugging Face cache.",
    )
    device: str = Field(default="auto", description="'auto', 'cpu', 'cuda' or 'cuda:N'.")
    dtype: str = Field(
        default="auto", description="'auto' (bfloat16, on GPU and CPU alike), 'bfloat16', 'float32'."
    )
    quantize: Literal["int8"] | None = Field(
        default=None, description="'int8': weight-only int8 linear layers (CPU only; half the memory)."
    )
    native_kernels: bool = Field(
        default=True,
        description="Run the model on a CPU through model/kernels/gemv.c and sequence.c, compiled for it on "
        "first use (needs a C compiler; without one PyTorch's slower code serves); false: PyTorch's only.",
    )
    timezone: str = Field(
        default="UTC",
        description="The school's time zone (an IANA name such as Europe/London): pages show times in it "
        "and a due date ends at midnight there.",
    )
    dashboard_refresh_seconds: float = Field(
        default=60.0, gt=0, description="How often the teacher's dashboard fetches newer work."
    )
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: SecretStr | None = Field(
        default=None, description="First-run 'admin' account password; unset: generated and printed once."
    )
    max_request_size: ByteSize = Field(
        default=ByteSize(1024 * 1024),
        description="Largest request body (JSON, forms, Gradio events), e.g. '1MiB'; refused unread.",
    )
    trusted_origins: list[str] = Field(
        default_factory=list,
        description="Origins besides the server's own (its Host header) that may send state-changing "
        "requests with a login cookie, e.g. ['https://tutor.example.org'] behind a proxy that rewrites Host.",
    )
    login_free_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins from one address (all usernames) before each next try must wait; "
        "raise it for a school behind one NAT address.",
    )
    job_sweep_seconds: float = Field(
        default=60.0, gt=0, description="How often each worker queues batch jobs started while Redis was out."
    )
    session_ttl_minutes: int = 12 * 60
    upload_max_megabytes: int = Field(
        default=10, ge=1, description="Largest file the teacher and admin pages take (rosters, batch files)."
    )
    uploads_per_minute: int = Field(
        default=10, ge=1, description="Files one user may upload a minute; the student page takes none."
    )
    model_requests_per_minute: int = 20
    check_processes: int | None = Field(
        default=None, ge=1, description="Checking processes for learners' steps; unset: one per CPU core."
    )
    batch_check_processes: int | None = Field(
        default=None, ge=1, description="Checking processes for batch grading; unset: half the cores."
    )
    check_cpu_seconds: float = Field(
        default=3.0, gt=0, description="CPU time one check may use (waiting for a process does not count)."
    )
    check_wait_seconds: float = Field(
        default=10.0, gt=0, description="How long a check may wait for a free checking process."
    )
    check_per_user: int | None = Field(
        default=None, ge=1, description="Checking processes one user may hold at once; unset: half the pool."
    )
    max_new_tokens: int = 4096
    hint_thinking_s: float = Field(
        default=6.0,
        ge=0,
        description="How long the model may reason for a learner-facing reply (hint, explanation, chat) "
        "before the worker closes its reasoning and has it answer; keeps a reply near 10 s.",
    )
    temperature: float = 0.6
    top_p: float = 0.95

    @field_validator("device")
    @classmethod
    def _check_device(cls, value: str) -> str:
        if value not in ("auto", "cpu", "cuda") and not value.startswith("cuda:"):
            raise ValueError("device must be 'auto', 'cpu', 'cuda' or 'cuda:N'")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {value!r} is not a time zone name such as Europe/London") from None
        return value

    @property
    def school_zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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

    @property
    def is_embedded_default(self) -> bool:
        """One machine, trying it out: SQLite, the in-process worker, listening on loopback only."""
        loopback = self.host in ("127.0.0.1", "localhost", "::1")
        return loopback and self.broker_url is None and self.resolved_database_url.startswith("sqlite")

    @property
    def admin_password_value(self) -> str | None:
        return self.admin_password.get_secret_value() if self.admin_password else None

    def shown(self) -> dict[str, Any]:
        """The settings as they may be shown or logged: secrets and the passwords inside URLs masked."""
        return {name: _shown(name, value) for name, value in self.model_dump().items()}

    @property
    def results_dir(self) -> Path:
        """Where assessment jobs write their results files (readable by the server's user only)."""
        return (self.data_dir / "jobs").resolve()

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_megabytes * 1_000_000

    @property
    def upload_body_limit(self) -> int:
        """Largest upload request read at all: the largest file plus room for the multipart envelope."""
        return self.upload_max_bytes + 64 * 1024


def _shown(name: str, value: Any) -> Any:
    if isinstance(value, SecretStr):
        return "***"
    if name.endswith("_url") and isinstance(value, str):
        return mask_url(value)
    return value


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (database and broker URLs carry one)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL at all: show nothing of it that could be a secret
        return "***"
    if not password:
        return url
    user_part, _, host_part = parts.netloc.rpartition("@")
    username = user_part.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{username}:***@{host_part}"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
