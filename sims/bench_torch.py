#!/usr/bin/python3
"""bench_torch.py N THREADS: the peer of `radvar bench-step`: torch.optim.RAdam
and Adam (float32, CPU) on one tensor of N parameters with fixed synthetic
gradients, foreach=True and False, torch.set_num_threads(THREADS).
Prints: method n threads dtype steps seconds elements_per_s (best of 3 runs of
STEPS steps after 3 untimed ones), like radvar bench-step."""
import sys
import time

import torch


def bench(cls, n, threads, foreach, steps):
    torch.set_num_threads(threads)
    i = torch.arange(n, dtype=torch.float32)
    p = torch.nn.Parameter(0.1 * torch.cos(0.003 * i))
    p.grad = torch.sin(0.001 * i) + 0.5
    opt = cls([p], lr=1e-3, foreach=foreach)
    for _ in range(3):
        opt.step()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.step()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    n = int(float(sys.argv[1]))
    threads = int(sys.argv[2])
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else max(5, int(2e8 / n))
    print("method\tn\tthreads\tdtype\tsteps\tseconds\telements_per_s")
    for name, cls in (("radam", torch.optim.RAdam), ("adam", torch.optim.Adam)):
        for foreach in (False, True):
            dt = bench(cls, n, threads, foreach, steps)
            print("torch-%s%s\t%d\t%d\tfloat32\t%d\t%.6g\t%.6g"
                  % (name, "-foreach" if foreach else "", n, threads, steps, dt, n * steps / dt))


if __name__ == "__main__":
    main()
