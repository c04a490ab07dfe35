"""Reference process: inputs, reference outputs and baseline timings (eager, torch.compile).

Runs in its own sandbox with only the problem file (problem.py), kb_common.py and config.json.
Writes inputs.pt (handed to the candidate), expected.pt (kept by the trusted evaluator, never
shown to the candidate) and baseline.json. No candidate code is ever present in this process.
"""

import json
import sys
import traceback

import torch

import kb_common as C


def fail(msg: str) -> None:
    with open("baseline.json", "w") as f:
        json.dump({"error": msg}, f)
    sys.exit(0)


def main() -> None:
    with open("config.json") as f:
        cfg = json.load(f)
    torch.set_num_threads(int(cfg["threads"]))
    device = torch.device(cfg["device"])
    if device.type == "cuda" and not torch.cuda.is_available():
        fail("device 'cuda' requested but torch.cuda.is_available() is False in this worker")
    try:
        mod = C.load_module("problem.py", "kb_reference")
    except Exception as e:
        fail(f"reference problem failed to import: {type(e).__name__}: {e}")
    missing = [a for a in ("Model", "get_inputs", "get_init_inputs") if not hasattr(mod, a)]
    if missing:
        fail(f"reference problem lacks {', '.join(missing)} (KernelBench format needs Model, "
             "get_inputs and get_init_inputs)")
    seed = int(cfg["init_seed"])
    torch.manual_seed(seed)
    init_inputs = list(mod.get_init_inputs())
    torch.manual_seed(seed)
    model = mod.Model(*init_inputs).to(device)
    sets = []
    for s in cfg["trial_seeds"]:
        torch.manual_seed(int(s))
        sets.append(list(mod.get_inputs()))
    outputs = []
    with torch.no_grad():
        for inp in sets:
            out = model(*C.to_device(inp, device))
            if device.type == "cuda":
                torch.cuda.synchronize()
            outputs.append(C.to_cpu_copy(out))
    torch.save({"init_seed": seed, "init_inputs": init_inputs,
                "inputs": [C.to_cpu_copy(s) for s in sets]}, "inputs.pt")
    torch.save({"outputs": outputs}, "expected.pt")
    report = {"torch": torch.__version__, "device": str(device),
              "device_name": (torch.cuda.get_device_name(device) if device.type == "cuda"
                              else "cpu"),
              "threads": torch.get_num_threads()}
    if cfg["timing"]:
        buffers = C.InputBuffers(sets, device)
        kw = dict(warmup=int(cfg["warmup"]), trials=int(cfg["timing_trials"]),
                  flush_mb=float(cfg["flush_mb"]))
        report["eager"] = C.stats(C.time_model(model, buffers, device, **kw)["ms"])
        if cfg["compile"]:
            try:
                compiled = torch.compile(model)
                with torch.no_grad():
                    compiled(*buffers.load(0))
                report["compile"] = C.stats(C.time_model(compiled, buffers, device, **kw)["ms"])
            except Exception as e:  # torch.compile may be unavailable (no compiler, CPU, ...)
                first = (str(e).strip().splitlines() or [""])[0][:300]
                report["compile_error"] = f"{type(e).__name__}: {first}"
    with open("baseline.json", "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:
        traceback.print_exc()
        fail(f"reference run failed: {type(e).__name__}: {e}")
