#!/usr/bin/python3
"""Known answers for radvar's generator (radvar/rng.h, generator version 1),
computed independently of its C code.

Run with Debian's python3:  /usr/bin/python3 tests/ref/make_rng_refs.py
It writes tests/ref/rng_ref.h (committed, so `make check` needs no Python).

Philox4x32-10 is written here from the published algorithm (Salmon, Moraes,
Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11, section 3.3
and Random123's philox.h constants: multipliers 0xD2511F53, 0xCD9E8D57, key
increments 0x9E3779B9, 0xBB67AE85, the key bumped before rounds 2..10), and
checked first against the three "philox4x32 10" lines of Random123's
tests/kat_vectors (DEShawResearch/random123, commit 9545ff64, as quoted by
several independent projects; the same three lines are in Random123 1.14):
    counter                             key                 output
    00000000 00000000 00000000 00000000 00000000 00000000   6627e8d5 e169c58d bc57ac4c 9b00dbd8
    ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff   408f276d 41c83b0e a20bc7c6 6d5451fd
    243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0   d16cfe09 94fdcceb 5001e420 24126ea1
Then it computes, from radvar/rng.h's description alone, more Philox
outputs at the counters radvar uses, the 64-bit uniforms, and the Gaussians:
the ziggurat (Marsaglia & Tsang's 256-layer constants, ZIGNOR's independent
layer and uniform bits, Doornik 2005) with its tables built by the same
recursion in IEEE double (Python's float and math module are the C library's
double and libm, so the values are bit-exact), including draws that take the
wedge and the tail (Marsaglia 1964) paths.
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF

KAT = [
    ([0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
    ([M32] * 4, [M32] * 2, [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
    ([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0],
     [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]),
]


def philox4x32(ctr, key, rounds=10):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(rounds):
        if r > 0:
            k0 = (k0 + 0x9E3779B9) & M32
            k1 = (k1 + 0xBB67AE85) & M32
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & M32, (p0 >> 32) ^ c3 ^ k1, p0 & M32)
    return [c0, c1, c2, c3]


def words(seed, stream, pair, retry):
    ctr = [pair & M32, retry, stream & M32, (stream >> 32) & M32]
    key = [seed & M32, (seed >> 32) & M32]
    return philox4x32(ctr, key)


# ---- the ziggurat of rng.h ----
LAYERS = 256
R = 3.6541528853610088
V = 4.92867323399e-3


def tables():
    x = [0.0] * (LAYERS + 1)
    f = math.exp(-0.5 * R * R)
    x[0] = V / f
    x[1] = R
    for i in range(2, LAYERS):
        x[i] = math.sqrt(-2.0 * math.log(V / x[i - 1] + f))
        f = math.exp(-0.5 * x[i] * x[i])
    x[LAYERS] = 0.0
    ratio = [x[i + 1] / x[i] for i in range(LAYERS)]
    return x, ratio


ZX, ZRATIO = tables()


def signed_uniform(w0, w1):
    k = (w0 << 21) | (w1 >> 11)              # 53 bits
    return (float(k - (1 << 52)) + 0.5) * 2.0 ** -52


def open_uniform(w0, w1):
    k = (w0 << 21) | (w1 >> 11)
    return (float(k) + 0.5) * 2.0 ** -53


def gauss(seed, stream, index):
    """(value, path) with path 'fast', 'wedge' or 'tail'."""
    pair, parity = index >> 1, index & 1
    w = words(seed, stream, pair, 0)
    a, b = w[2 * parity], w[2 * parity + 1]
    u = signed_uniform(a, b)
    layer = b & (LAYERS - 1)
    if abs(u) < ZRATIO[layer]:
        return u * ZX[layer], "fast"
    attempt = 0
    while True:
        w = words(seed, stream, pair, 1 + 2 * attempt + parity)
        attempt += 1
        if layer == 0:
            x = math.log(open_uniform(w[0], w[1])) / R
            y = math.log(open_uniform(w[2], w[3]))
            if -2.0 * y >= x * x:
                return (x - R if u < 0 else R - x), "tail"
            continue
        x = u * ZX[layer]
        f0 = math.exp(-0.5 * (ZX[layer] * ZX[layer] - x * x))
        f1 = math.exp(-0.5 * (ZX[layer + 1] * ZX[layer + 1] - x * x))
        if f1 + open_uniform(w[0], w[1]) * (f0 - f1) < 1.0:
            return x, "wedge"
        u = signed_uniform(w[2], w[3])
        layer = w[3] & (LAYERS - 1)
        if abs(u) < ZRATIO[layer]:
            return u * ZX[layer], "wedge"


def main():
    for ctr, key, want in KAT:
        got = philox4x32(ctr, key)
        if got != want:
            sys.exit("Philox4x32-10 does not reproduce Random123's known answer: %s" % got)
    philox_rows = [(c, k, o, "Random123 tests/kat_vectors") for c, k, o in KAT]
    for seed, stream, pair, retry in [(1, 0, 0, 0), (20261128, 7, 61728394, 0),
                                      (2**40 + 3, 2**33 + 5, 2**32 - 1, 3), (99, 12345, 7, 1)]:
        ctr = [pair & M32, retry, stream & M32, stream >> 32]
        key = [seed & M32, seed >> 32]
        philox_rows.append((ctr, key, philox4x32(ctr, key), "seed %d stream %d pair %d retry %d"
                            % (seed, stream, pair, retry)))

    uniform_rows = []
    for seed, stream, index in [(1, 0, 0), (1, 0, 1), (42, 2**35 + 1, 123456), (2**63 + 5, 3, 2**32 + 9)]:
        w = words(seed, stream, index, M32)
        uniform_rows.append((seed, stream, index, (w[0] << 32) | w[1]))

    gauss_rows = []
    for seed, stream, index in [(1, 0, 9999), (20261128, 7, 123456789), (0, 0, 0), (0, 0, 1),
                                (2**64 - 1, 2**64 - 1, 2**33 + 1), (7, 2**32, 5)]:
        v, path = gauss(seed, stream, index)
        gauss_rows.append((seed, stream, index, v, path))
    # scan for draws that take the slow paths
    wanted = {"wedge": 6, "tail": 4}
    for seed in (3, 2**40 + 11):
        for index in range(200000):
            v, path = gauss(seed, 5, index)
            if wanted.get(path, 0) > 0:
                wanted[path] -= 1
                gauss_rows.append((seed, 5, index, v, path))
            if not any(wanted.values()):
                break
        if not any(wanted.values()):
            break

    path = os.path.join(HERE, "rng_ref.h")
    with open(path, "w") as f:
        f.write("/* rng_ref.h: generated by tests/ref/make_rng_refs.py (an independent Python\n"
                " * Philox4x32-10 and ziggurat, checked against Random123's known answers);\n"
                " * do not edit.  Generator version 1 of radvar/rng.h. */\n")
        f.write("static const struct philox_ref {\n    uint32_t ctr[4], key[2], out[4];\n"
                "} philox_ref_table[] = {\n")
        for c, k, o, what in philox_rows:
            f.write("    {{0x%08x, 0x%08x, 0x%08x, 0x%08x}, {0x%08x, 0x%08x}, "
                    "{0x%08x, 0x%08x, 0x%08x, 0x%08x}}, /* %s */\n" % tuple(c + k + o + [what]))
        f.write("};\n\nstatic const struct uniform_ref {\n    uint64_t seed, stream, index, bits;\n"
                "} uniform_ref_table[] = {\n")
        for seed, stream, index, bits in uniform_rows:
            f.write("    {UINT64_C(%d), UINT64_C(%d), UINT64_C(%d), UINT64_C(0x%016x)},\n"
                    % (seed, stream, index, bits))
        f.write("};\n\nstatic const struct gauss_ref {\n    uint64_t seed, stream, index;\n"
                "    double value;\n    const char *path;\n} gauss_ref_table[] = {\n")
        for seed, stream, index, v, p in gauss_rows:
            f.write("    {UINT64_C(%d), UINT64_C(%d), UINT64_C(%d), %s, \"%s\"}, /* %.17g */\n"
                    % (seed, stream, index, v.hex(), p, v))
        f.write("};\n")
    print("wrote", path, len(philox_rows), len(uniform_rows), len(gauss_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
