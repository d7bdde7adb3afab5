"""Phase 3 training, split by concern.

- ``formats``: the JSONL formats mlx-lm accepts (chat, prompt/completion, text), detected per file.
- ``batches``: tokenisation (over-long rows truncated or dropped once, ``long_rows``) and a batch
  order that is a pure function of (seed, step), so a resumed run sees exactly the batches an
  uninterrupted one would.
- ``checkpoints``: resumable checkpoints (LoRA weights, optimizer state, RNG state, history).
- ``loop``: ``train_adapter``, the training loop (model -> LoRA -> optimizer -> batches -> steps).
- ``preflight``: fail-fast checks before minutes of training (mlx present, outputs writable, disk).
- ``policy``: whether a stage is worth retraining (``fine_tuning.min_new_rows``).
- ``model_io``: loading (quantised per ``fine_tuning.quantization``: QLoRA), fusing and saving models.
- ``schedule``: the learning-rate schedule (``lr_schedule``, ``warmup_steps``) from mlx's schedulers.
- ``distributed``: data-parallel training under ``mlx.launch`` (gradients all-reduced, rank 0 writes).
- ``stages``: stage 1 / stage 2 of the pipeline and the single-adapter trainer they share.
- ``publish``: ``--upload`` for the standalone trainer through ``tasks.upload``.
- ``cli``: ``python -m tasks.finetune``.

Nothing here imports mlx at module load: dodo.py and ``doit list`` stay fast.
"""
