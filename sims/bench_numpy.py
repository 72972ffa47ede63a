#!/usr/bin/python3
"""bench_numpy.py TRIALS: the peer of sims/bench_mc.c's engine benchmark.

The same figure-1 workload, vectorised over trials with NumPy (Debian's
python3-numpy): beta2 = 0.999, T = 6000 steps, gradients N(0, 1) from
NumPy's Philox bit generator, the EMA v_t, psi_t = sqrt((1 - beta2^t)/v_t),
and at every step the mean and central sums M2, M3, M4 of psi_t over the
trials (what radvar keeps).  Prints: what threads samples seconds samples_per_s
(best of 5).  NumPy runs these array operations on one thread.
"""
import sys
import time

import numpy as np


def run(trials, steps=6000, beta2=0.999):
    rng = np.random.Generator(np.random.Philox(1))
    v = np.zeros(trials)
    out = np.empty((steps, 4))
    t0 = time.perf_counter()
    for t in range(1, steps + 1):
        g = rng.standard_normal(trials)
        v *= beta2
        v += (1.0 - beta2) * (g * g)
        psi = np.sqrt(-np.expm1(t * np.log(beta2)) / v)
        mean = psi.mean()
        d = psi - mean
        d2 = d * d
        out[t - 1] = (mean, d2.sum(), (d2 * d).sum(), (d2 * d2).sum())
    return time.perf_counter() - t0


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 8192
    best = min(run(trials) for _ in range(5))
    samples = trials * 6000
    print("what\tthreads\tsamples\tseconds\tsamples_per_s")
    print("numpy\t1\t%d\t%.6g\t%.6g" % (samples, best, samples / best))


if __name__ == "__main__":
    main()
