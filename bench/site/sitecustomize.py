"""Loaded by every Python process of a benchmarked run (bench.py puts this folder on PYTHONPATH):
the ingest worker processes start fresh interpreters, so their phase functions are wrapped here."""
import os
import sys

if os.environ.get("TRAPPE_BENCH_TIMINGS"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        import instrument

        instrument.install()
    except ImportError:  # a process without the project installed (none in a run): untimed
        pass
