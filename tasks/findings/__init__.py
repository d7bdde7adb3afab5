"""Findings: the typed finding and what is decided about it at parse time (see BRIEF's layout, issue 19)."""
