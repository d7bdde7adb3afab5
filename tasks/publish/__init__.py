"""Publish: datasets, adapters and models to the Hub or a local folder, with their cards.

Owns ``upload`` (Hub or ``dir:`` destinations, the uploaded marker), ``cards`` (dataset and model
cards with the evaluation table), ``peft_export`` (the adapters in the Hugging Face PEFT layout)
and ``standalone`` (``--upload`` for the standalone trainer).

May import: every phase before it (``core`` ... ``evaluation``).
"""
