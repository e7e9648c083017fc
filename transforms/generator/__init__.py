"""Synthetic inbox generator (``trappe generate``).

Simulates the children of Danish municipalities and writes what their case systems, school
registers, accounts and Statistics Denmark would deliver, in the formats of spec/sources.md,
with realistic producer conventions and a documented rate of deliberate flaws.
"""

from .inbox import GenerationSummary, generate_inbox

__all__ = ["GenerationSummary", "generate_inbox"]
