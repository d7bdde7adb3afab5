"""Typed settings per phase, built once from the validated config.

``load_config`` merges the config file, a profile, the environment and the doit variables and validates
the result against ``schemas/config.schema.json``; :meth:`Settings.of` turns that dict into one frozen
dataclass per section (in the manner of mlx-lm's ``TrainingArgs``), so a phase reads
``settings.evaluation.max_rows`` rather than re-plucking ``config["evaluation"]["max_rows"]``.  The
schema stays the one place that says what a value may be; the defaults here are those of
``config/pipeline.yaml`` for the keys the schema makes optional.

Each section also answers ``section["key"]`` and ``section.get("key")`` so that code written against
the dict form reads a typed section unchanged while it is moved to attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping


class _Section:
    """Attribute access first; mapping-style reads for code that still uses the dict form."""

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def __contains__(self, key: str) -> bool:
        return hasattr(self, key)

    @classmethod
    def of(cls, data: Mapping | None):
        """The typed section of a validated config section (one already typed is returned as it is)."""
        if isinstance(data, cls):
            return data
        data = data or {}
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def items(self):
        return self.as_dict().items()


@dataclass(frozen=True)
class Parse(_Section):
    """How reports are read (findings phase)."""

    on_error: str = "fail"           # fail | skip
    max_bytes: int = 1073741824      # larger reports are rejected before any read (1 GiB)
    workers: int | None = None       # processes for a large batch of new reports (None: every core)


@dataclass(frozen=True)
class Enrich(_Section):
    """Narratives: retrieval depth and the optional teacher endpoint."""

    top_k: int = 3
    teacher: dict | None = None      # {url, model, timeout_seconds, deadline_seconds, ...}


@dataclass(frozen=True)
class Datasets(_Section):
    """Rows, splits, caps and the lint's quarantine."""

    valid_percent: int = 15
    test_percent: int = 15
    max_snippet_chars: int = 1500
    include_suppressed: bool = False
    min_severity: str = "info"
    triage: str = "explain"
    not_security: str = "drop"       # findings triage calls no security weakness (operational checks, code quality)
    needs_review: str = "fix_only"   # findings triage cannot decide: fix_only (no stage-1 analysis) | explain
    max_rows_per_group: int = 2
    max_rule_share: float = 0.15
    near_duplicate_threshold: float = 90
    max_quarantine_share: float = 0.2
    context_lines: int = 5
    public_corpus: dict | None = None


@dataclass(frozen=True)
class FineTuning(_Section):
    """Both LoRA stages (mlx-lm)."""

    skip_fine_tuning: bool = False
    skip_in_daemon: bool = False
    sequential: bool = True
    batch_size: int = 2
    learning_rate: float = 1e-5
    max_epochs: float = 3
    max_iters: int | None = None
    lora_rank: int = 8
    lora_scale: float = 20.0
    lora_dropout: float = 0.0
    lora_layers: int = 16
    max_seq_length: int = 2048
    mask_prompt: bool = True
    grad_checkpoint: bool = False
    seed: int = 42
    steps_per_eval: int = 100
    val_batches: int = 25
    checkpoint_every: int = 100
    stage1_mix_percent: int = 20
    eval_prompts: int = 3
    min_new_rows: int = 0
    min_new_percent: float = 0
    keep_builds: int = 5
    quantization: str = "none"
    quantization_group_size: int = 64
    lr_schedule: str = "constant"
    warmup_steps: int = 0
    long_rows: str = "truncate"


@dataclass(frozen=True)
class Evaluation(_Section):
    """The test-split evaluation of base, stage 1 and stage 2."""

    max_rows: int = 50
    max_tokens: int = 256
    batch_size: int = 8              # prompts decoded together
    loss_rows: int | None = None     # test rows per split whose loss is computed (None = every answered row)
    patch_tokens: int | None = None  # cap for rows whose answer is a diff to apply (None = max_tokens)


@dataclass(frozen=True)
class TinyModel(_Section):
    """The tiny random test model."""

    vocab_size: int = 512
    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    intermediate_size: int = 128
    seed: int = 0


@dataclass(frozen=True)
class Upload(_Section):
    """Where datasets and models are published."""

    enabled: bool = False
    destination: str = "hf"
    namespace: str | None = None
    dataset_repo: str = "secft-security-findings"
    stage1_repo: str = "secft-stage1-analysis"
    stage2_repo: str = "secft-stage2-codefix"
    private: bool = True


@dataclass(frozen=True)
class Daemon(_Section):
    """The unattended poll-fetch-build loop."""

    poll_interval_seconds: int = 3600
    github_repo: str | None = None
    branch: str = "main"
    workflow: str | None = None
    max_zip_bytes: int = 1 << 30
    retry_failed_build_seconds: int = 600
    env_file: str | None = None
    fetch_retries: int = 5
    fetch_retry_backoff_seconds: int = 600


@dataclass(frozen=True)
class Network(_Section):
    """Timeouts, retries and the overall deadline of every network operation."""

    connect_timeout_seconds: float = 10
    read_timeout_seconds: float = 60
    retries: int = 3
    backoff_seconds: float = 1
    deadline_seconds: float = 300
    min_bytes_per_second: int = 65536


@dataclass(frozen=True)
class Settings(_Section):
    """Every section, typed; ``Settings.of(load_config(...))``."""

    base_model: str = "tiny"
    parse: Parse = field(default_factory=Parse)
    enrich: Enrich = field(default_factory=Enrich)
    datasets: Datasets = field(default_factory=Datasets)
    fine_tuning: FineTuning = field(default_factory=FineTuning)
    evaluation: Evaluation = field(default_factory=Evaluation)
    tiny_model: TinyModel = field(default_factory=TinyModel)
    upload: Upload = field(default_factory=Upload)
    daemon: Daemon = field(default_factory=Daemon)
    network: Network = field(default_factory=Network)
    artifacts: dict = field(default_factory=dict)    # {keep_runs}
    provenance: dict = field(default_factory=dict)   # {branch, commit} for reports without run.json
    source: dict = field(default_factory=dict)       # {repo_path}
    triage: dict = field(default_factory=dict)       # {advisories, osv_api, vex, vex_inputs}: nested, read by tasks.triage

    @classmethod
    def of(cls, config: Mapping | None) -> "Settings":
        """The typed form of a validated config (a Settings is returned as it is)."""
        if isinstance(config, Settings):
            return config
        config = config or {}
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in config:
                continue
            value = config[f.name]
            kind = _SECTIONS.get(f.name)
            kw[f.name] = kind.of(value) if kind else (value if value is not None or f.name == "base_model" else {})
        return cls(**kw)


_SECTIONS = {"parse": Parse, "enrich": Enrich, "datasets": Datasets, "fine_tuning": FineTuning, "evaluation": Evaluation,
             "tiny_model": TinyModel, "upload": Upload, "daemon": Daemon, "network": Network}
