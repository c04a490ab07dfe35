"""Candidate process: build ModelNew, run it on the given inputs, time it, watch for hacks.

Runs in its own sandbox holding candidate.py, kb_common.py, config.json and inputs.pt (inputs
only: the reference outputs stay with the trusted evaluator, which judges correctness from the
outputs.pt written here). Everything this harness needs is bound before the candidate is
imported; the guards below report what they see as violations, each with a reason.
"""

import inspect
import json
import os
import sys
import time
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F

import kb_common as C

_json_dump, _open, _torch_save = json.dump, open, torch.save
REPORT: dict = {"compiled": False, "violations": [], "stage": "start"}


def violation(guard: str, reason: str) -> None:
    if not any(v["guard"] == guard for v in REPORT["violations"]):
        REPORT["violations"].append({"guard": guard, "reason": reason})


def write_report() -> None:
    with _open("report.json", "w") as f:
        _json_dump(REPORT, f)


# ---- patched torch functions or timers -------------------------------------------------------
def _watched() -> dict:
    mods = {"torch": torch, "torch.nn.functional": F, "torch.cuda": torch.cuda, "time": time,
            "torch.nn.modules.module": sys.modules["torch.nn.modules.module"],
            "kb_common": C, "harness": sys.modules[__name__]}
    classes = {"torch.Tensor": torch.Tensor, "torch.nn.Module": nn.Module,
               "torch.cuda.Event": torch.cuda.Event, "torch.cuda.Stream": torch.cuda.Stream}
    return {"mods": mods, "classes": classes}


def snapshot() -> dict:
    w = _watched()
    snap = {}
    for name, m in w["mods"].items():
        for k, v in list(vars(m).items()):
            if callable(v) and not isinstance(v, type(sys)):
                snap[(name, k)] = v
    for name, cls in w["classes"].items():
        for k in dir(cls):
            try:
                snap[(name, k)] = inspect.getattr_static(cls, k)
            except AttributeError:
                continue
    return snap


# torch.compile (dynamo) wraps these itself on first use; allowed only when the new value is
# torch's own wrapper, defined in a file of the torch package.
_TORCH_SELF_PATCHED = {"torch.manual_seed", "torch.nn.Module.__init__",
                       "torch.nn.Module.__setstate__"}
_TORCH_DIR = torch.__file__.rsplit("/", 1)[0] + "/"


def torch_own_patch(name: str, old, new) -> bool:
    if name not in _TORCH_SELF_PATCHED:
        return False
    code = getattr(new, "__code__", None)
    return code is not None and (code.co_filename.startswith(_TORCH_DIR + "_dynamo/") or
                                 code.co_filename == _TORCH_DIR + "_compile.py")


def check_patches(snap: dict, when: str) -> None:
    w = _watched()
    changed = []
    for (name, k), v in snap.items():
        if name in w["mods"]:
            now = vars(w["mods"][name]).get(k, v)
        else:
            try:
                now = inspect.getattr_static(w["classes"][name], k)
            except AttributeError:
                now = None
        if now is not v and not torch_own_patch(f"{name}.{k}", v, now):
            changed.append(f"{name}.{k}")
    timers = [c for c in changed if c.startswith(("time.", "torch.cuda.Event", "kb_common",
                                                  "torch.cuda.synchronize", "harness"))]
    others = [c for c in changed if c not in timers]
    for guard, names in (("patched_timer", timers), ("patched_torch", others)):
        if names:
            violation(guard, f"candidate replaced {', '.join(names[:5])} ({when}); patching "
                             "torch functions, timers or the harness is not allowed")


# ---- silent fallback to the reference Model ----------------------------------------------------
def is_reference_class(cls) -> bool:
    return isinstance(cls, type) and (cls.__name__ == "Model" or
                                      cls.__module__ == "kb_reference")


def main() -> None:
    with _open("config.json") as f:
        cfg = json.load(f)
    torch.set_num_threads(int(cfg["threads"]))
    device = torch.device(cfg["device"])
    cuda = device.type == "cuda"
    atol, rtol = float(cfg["atol"]), float(cfg["rtol"])
    data = torch.load("inputs.pt", weights_only=True)
    os.remove("inputs.pt")  # the candidate gets each trial's inputs only through forward()
    called: set = set()
    hook = sys.modules["torch.nn.modules.module"].register_module_forward_pre_hook(
        lambda m, args: called.add(type(m)))
    snap = snapshot()
    REPORT["stage"] = "import"
    try:
        mod = C.load_module("candidate.py", "candidate")
    except BaseException as e:
        REPORT["error"] = f"candidate failed to import: {type(e).__name__}: {e}"[:500]
        REPORT["traceback"] = traceback.format_exc()[-3000:]
        return
    ModelNew = getattr(mod, "ModelNew", None)
    if not (isinstance(ModelNew, type) and issubclass(ModelNew, nn.Module)):
        REPORT["error"] = "candidate does not define class ModelNew(nn.Module)"
        return
    if any(is_reference_class(c) for c in ModelNew.__mro__) or "kb_reference" in sys.modules:
        violation("fallback_reference", "ModelNew is or inherits the reference class Model: "
                                        "a silent fallback to the reference is not allowed")
    check_patches(snap, "at import")
    REPORT["stage"] = "construct"
    try:
        torch.manual_seed(int(data["init_seed"]))
        model = ModelNew(*data["init_inputs"]).to(device)
    except BaseException as e:
        REPORT["error"] = f"ModelNew(*get_init_inputs()) failed: {type(e).__name__}: {e}"[:500]
        REPORT["traceback"] = traceback.format_exc()[-3000:]
        return
    REPORT["compiled"] = True
    if any(is_reference_class(type(m)) for m in model.modules()):
        violation("fallback_reference", "ModelNew contains an instance of the reference Model: "
                                        "a silent fallback to the reference is not allowed")

    # ---- correctness trials: outputs go back to the trusted evaluator ------------------------
    REPORT["stage"] = "correctness"
    outputs, inputs_after = [], []
    verified = []
    prev_out = prev_copy = None
    with torch.no_grad():
        for k, inp in enumerate(data["inputs"]):
            args = C.to_device(inp, device)
            before = C.clone(args)
            called.clear()
            try:
                out = model(*args)
                if cuda:
                    torch.cuda.synchronize()
            except BaseException as e:
                REPORT["error"] = f"ModelNew.forward failed on trial {k}: {type(e).__name__}: {e}"[:500]
                REPORT["traceback"] = traceback.format_exc()[-3000:]
                return
            if not C.same_values(args, before):
                violation("inputs_modified", f"trial {k}: ModelNew.forward modified its inputs "
                                             "in place")
            if C.shares_memory(out, args):
                violation("output_aliases_input", f"trial {k}: the output shares memory with "
                                                  "an input tensor")
            if prev_out is not None and (C.shares_memory(out, prev_out) or
                                         not C.same_values(prev_out, prev_copy)):
                violation("output_reused", f"trial {k}: the output reuses the memory of the "
                                           "previous call's output (results must be fresh)")
            if any(is_reference_class(c) for c in called):
                violation("fallback_reference", "the reference Model ran inside ModelNew: a "
                                                "silent fallback is not allowed")
            outputs.append(C.to_cpu_copy(out))
            inputs_after.append(C.to_cpu_copy(args))
            verified.append(C.clone(out))
            prev_out, prev_copy = out, C.clone(out)
    hook.remove()  # a global hook slows every module call: it must not run while timed
    _torch_save({"outputs": outputs, "inputs_after": inputs_after}, "outputs.pt")
    check_patches(snap, "after the correctness trials")

    # ---- timing -------------------------------------------------------------------------------
    if cfg["timing"]:
        REPORT["stage"] = "timing"
        buffers = C.InputBuffers(data["inputs"], device)
        state = {"threads": C.thread_count(), "prev": None,
                 "stream": C._current_stream() if cuda else None}

        def on_ready() -> None:
            state["threads"] = C.thread_count()

        def after(k: int, out) -> None:
            n = C.thread_count()
            if n > state["threads"]:
                violation("timer_escape", f"{n - state['threads']} new thread(s) still running "
                                          "when forward returned: work escapes the timer")
            if cuda and C._current_stream() != state["stream"]:
                violation("timer_escape", "forward switched the current CUDA stream: work "
                                          "escapes the timer")
            if not C.close_values(out, verified[k], atol, rtol):
                violation("output_reused", f"a timed call on trial {k}'s inputs returned a "
                          "result different from the verified one (cached or stale output?)")
            if state["prev"] is not None and C.shares_memory(out, state["prev"]):
                violation("output_reused", "timed calls return the same output memory "
                                           "(results must be fresh)")
            state["prev"] = out

        r = C.time_model(model, buffers, device, warmup=int(cfg["warmup"]),
                         trials=int(cfg["timing_trials"]), flush_mb=float(cfg["flush_mb"]),
                         on_ready=on_ready, after=after)
        REPORT["runtime_stats"] = C.stats(r["ms"])
        REPORT["host_stats"] = C.stats(r["host_ms"])
        if cuda:
            ev, ho = REPORT["runtime_stats"]["mean"], REPORT["host_stats"]["mean"]
            if ho - ev > max(0.5 * ev, 0.1):
                violation("timer_escape", f"host time to device sync ({ho:.3f} ms) far exceeds "
                          f"the CUDA-event time ({ev:.3f} ms): work on another stream escapes "
                          "the timer")
        if torch.get_num_threads() != int(cfg["threads"]):
            violation("threads", f"candidate changed torch's thread count to "
                                 f"{torch.get_num_threads()} (baselines use {cfg['threads']})")
        check_patches(snap, "after timing")
    REPORT["stage"] = "done"


if __name__ == "__main__":
    try:
        main()
    except BaseException as e:
        REPORT["error"] = f"harness error at stage {REPORT['stage']}: {type(e).__name__}: {e}"[:500]
        REPORT["traceback"] = traceback.format_exc()[-3000:]
    write_report()
