"""Benchmarks: measured side by side against a baseline in the same run (never timed tests)."""
