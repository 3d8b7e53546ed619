"""Benchmarks of mythbot: programs that measure, not timed tests (see README.md)."""
