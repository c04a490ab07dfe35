class AleBenchError(Exception):
    """Same name as ale_bench.error.AleBenchError."""
