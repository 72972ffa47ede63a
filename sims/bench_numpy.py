#!/usr/bin/python3
"""bench_numpy.py TRIALS [RUNS]: the peer of sims/bench_mc.c's engine benchmark.

The same figure-1 workload, vectorised over trials with NumPy (Debian's
python3-numpy): beta2 = 0.999, T = 6000 steps, gradients N(0, 1) from
NumPy's Philox bit generator, the EMA v_t, psi_t = sqrt((1 - beta2^t)/v_t),
and at every step the mean and central sums M2, M3, M4 of psi_t over the
trials (what radvar keeps).  NumPy runs these array operations on one thread
(no BLAS is involved).  Prints one line per run, like bench_mc:
what generator threads samples seconds samples_per_s cpu_share
(generator 0: NumPy's own).
"""
import sys
import time

import numpy as np


def run(trials, steps=6000, beta2=0.999):
    rng = np.random.Generator(np.random.Philox(1))
    v = np.zeros(trials)
    out = np.empty((steps, 4))
    t0, c0 = time.perf_counter(), time.process_time()
    for t in range(1, steps + 1):
        g = rng.standard_normal(trials)
        v *= beta2
        v += (1.0 - beta2) * (g * g)
        psi = np.sqrt(-np.expm1(t * np.log(beta2)) / v)
        mean = psi.mean()
        d = psi - mean
        d2 = d * d
        out[t - 1] = (mean, d2.sum(), (d2 * d).sum(), (d2 * d2).sum())
    return time.perf_counter() - t0, time.process_time() - c0


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 16384
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    samples = trials * 6000
    for _ in range(runs):
        wall, cpu = run(trials)
        print("numpy\t0\t1\t%d\t%.6g\t%.6g\t%.3f" % (samples, wall, samples / wall, cpu / wall))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
