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
- ``cli``: the standalone trainer behind ``python -m tasks.finetune``.
- ``base_model``: resolving and verifying the base model (tiny, a local folder, a Hub id).
- ``tiny_model``: the tiny random test model, built offline.
- ``model_history``: the last trained outputs of each adapter (``python -m tasks.models``).
- ``outputs``: whether a stage's outputs are all still there.

Nothing here imports mlx at module load: dodo.py and ``doit list`` stay fast.

May import: ``tasks.core`` ... ``tasks.datasets`` (the rows it trains on); never ``tasks.evaluation``,
``tasks.publish`` or ``tasks.service`` (``python -m tasks.finetune`` joins training and publishing).
"""
