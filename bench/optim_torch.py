"""torch.optim's side of bench/optim.ts: one step on the same parameter shapes, timed per implementation.

Reads a JSON request on the command line (shapes in PyTorch's layout, contenders with their torch
class and keyword arguments, steps, warm-up, threads) and prints one JSON line:
{"torch": version, "threads": n, "results": {name: {"single": ms, "foreach": ms, "fused": ms}}},
a median per implementation, null where torch refuses that implementation for the optimizer.
"""
import inspect
import json
import statistics
import sys
import time

import torch


def time_steps(make, shapes, steps, warmup, seed):
    generator = torch.Generator().manual_seed(seed)
    params = [torch.nn.Parameter(torch.randn(shape, generator=generator) * 0.05) for shape in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=generator) * 1e-2
    optimizer = make(params)
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.step()
        elapsed = (time.perf_counter() - start) * 1000
        if i >= warmup:
            times.append(elapsed)
    return statistics.median(times)


def main():
    request = json.loads(sys.argv[1])
    if request.get("threads"):
        torch.set_num_threads(request["threads"])
        torch.set_num_interop_threads(request["threads"])
    shapes = request["shapes"]
    results = {}
    for contender in request["contenders"]:
        cls = getattr(torch.optim, contender["class"])
        kwargs = contender.get("kwargs", {})
        accepted = inspect.signature(cls.__init__).parameters
        row = {}
        for impl, flags in (("single", {"foreach": False}), ("foreach", {"foreach": True}), ("fused", {"fused": True})):
            if not set(flags) <= set(accepted):
                # No such switch: the optimizer's one implementation is the single-tensor loop.
                row[impl] = None
                if impl != "single":
                    continue
                flags = {}
            try:
                row[impl] = time_steps(lambda ps: cls(ps, **kwargs, **flags), shapes, request["steps"], request["warmup"], 0)
            except (RuntimeError, TypeError, ValueError):
                row[impl] = None  # this optimizer has no such implementation on the CPU
        results[contender["name"]] = row
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
