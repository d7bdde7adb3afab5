"""secft step implementations.

Every module here is a plain function library: no doit imports (only
``dodo.py`` knows about doit), no heavy imports at module level (mlx,
mlx_lm and transformers are imported inside the functions that train or
load models, so ``doit list`` and a no-op ``doit`` stay fast).
"""

__version__ = "0.1.0"
