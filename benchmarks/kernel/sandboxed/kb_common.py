"""Helpers shared by the two sandboxed harness processes (reference and candidate).

This file is copied into each sandbox's working directory and imported there before any
candidate code runs, so the clocks and CUDA primitives below are bound before a candidate could
patch the modules they come from. It must import nothing from this repository.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
import time

import torch

# Bound at import, before the candidate is imported: a later patch of these names in `time` or
# `torch.cuda` cannot change what the timer below uses (and is itself reported as a hack).
_perf = time.perf_counter
_cuda_event = torch.cuda.Event
_cuda_sync = torch.cuda.synchronize
_current_stream = torch.cuda.current_stream


def load_module(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def tree_map(fn, x):
    if isinstance(x, torch.Tensor):
        return fn(x)
    if isinstance(x, (list, tuple)):
        return type(x)(tree_map(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: tree_map(fn, v) for k, v in x.items()}
    return x


def tensors(x) -> list:
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in tensors(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in tensors(v)]
    return []


def to_device(x, device):
    return tree_map(lambda t: t.to(device), x)


def to_cpu_copy(x):
    """A detached CPU copy that shares no memory with ``x``."""
    return tree_map(lambda t: t.detach().to("cpu", copy=True), x)


def clone(x):
    return tree_map(lambda t: t.detach().clone(), x)


def same_values(a, b) -> bool:
    """Exact equality of two trees of tensors (NaN equals NaN)."""
    ta, tb = tensors(a), tensors(b)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        if x.is_floating_point() or x.is_complex():
            if not bool(((x == y) | (torch.isnan(x) & torch.isnan(y))).all()):
                return False
        elif not torch.equal(x, y):
            return False
    return True


def close_values(a, b, atol: float, rtol: float) -> bool:
    ta, tb = tensors(a), tensors(b)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x.shape != y.shape:
            return False
        if not torch.allclose(x.double(), y.double(), atol=atol, rtol=rtol):
            return False
    return True


def _span(t: torch.Tensor) -> tuple[str, int, int] | None:
    s = t.untyped_storage()
    if s.nbytes() == 0:
        return None
    return (str(t.device), s.data_ptr(), s.data_ptr() + s.nbytes())


def shares_memory(a, b) -> bool:
    """Whether any tensor of ``a`` overlaps the storage of any tensor of ``b``."""
    spans_b = [s for s in map(_span, tensors(b)) if s]
    for sa in map(_span, tensors(a)):
        if sa is None:
            continue
        for sb in spans_b:
            if sa[0] == sb[0] and sa[1] < sb[2] and sb[1] < sa[2]:
                return True
    return False


def thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def stats(ms: list[float]) -> dict:
    n = len(ms)
    if not n:
        return {"mean": float("nan"), "std": float("nan"), "min": float("nan"),
                "max": float("nan"), "median": float("nan"), "num_trials": 0}
    mean = sum(ms) / n
    std = math.sqrt(sum((m - mean) ** 2 for m in ms) / n)
    srt = sorted(ms)
    median = srt[n // 2] if n % 2 else (srt[n // 2 - 1] + srt[n // 2]) / 2
    return {"mean": mean, "std": std, "min": min(ms), "max": max(ms), "median": median,
            "num_trials": n}


class InputBuffers:
    """Fixed input tensors; before each timed call the values of one trial are copied in.

    The addresses stay the same while the values change, so a model that caches results by
    input address returns stale outputs, which the candidate harness detects.
    """

    def __init__(self, sets: list, device) -> None:
        self.sets = [to_device(s, device) for s in sets]
        self.buffers = clone(self.sets[0])

    def __len__(self) -> int:
        return len(self.sets)

    def load(self, k: int) -> list:
        for dst, src in zip(tensors(self.buffers), tensors(self.sets[k])):
            dst.copy_(src)
        return self.buffers


def time_model(fn, inputs: InputBuffers, device, *, warmup: int, trials: int, flush_mb: float,
               on_ready=None, after=None) -> dict:
    """Time ``fn(*inputs)``: warm-up, then ``trials`` calls, each after a cache flush.

    CUDA: elapsed time between two CUDA events recorded on the current stream, plus the host
    time to a full device synchronisation (so work on other streams shows up). CPU: the host
    perf_counter around the call. Returns per-trial milliseconds.
    """
    cuda = torch.device(device).type == "cuda"
    flush = None
    if flush_mb and flush_mb > 0:
        flush = torch.empty(int(flush_mb * 2**20) // 4, dtype=torch.float32, device=device)
    ms: list[float] = []
    host: list[float] = []
    with torch.no_grad():
        for i in range(warmup):
            fn(*inputs.load(i % len(inputs)))
        if cuda:
            _cuda_sync()
        stream = _current_stream() if cuda else None
        if on_ready:
            on_ready()
        for i in range(trials):
            k = i % len(inputs)
            args = inputs.load(k)
            if flush is not None:
                flush.zero_()
            if cuda:
                start, end = _cuda_event(enable_timing=True), _cuda_event(enable_timing=True)
                _cuda_sync()
                h0 = _perf()
                start.record(stream)
                out = fn(*args)
                end.record(stream)
                _cuda_sync()
                h1 = _perf()
                t = start.elapsed_time(end)
            else:
                h0 = _perf()
                out = fn(*args)
                h1 = _perf()
                t = (h1 - h0) * 1e3
            ms.append(t)
            host.append((h1 - h0) * 1e3)
            if after:
                after(k, out)
            del out
    return {"ms": ms, "host_ms": host}
