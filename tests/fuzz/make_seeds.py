#!/usr/bin/python3
"""make_seeds.py: write the seed corpora of tests/fuzz/<target>/ (seed-*
files; crashes found by fuzzing are kept beside them as crash-* files and
are never rewritten here).

    /usr/bin/python3 tests/fuzz/make_seeds.py

Each target's inputs are laid out as its harness (tests/fuzz/fuzz_NAME.c)
reads them: for `number` and `range` a first byte picks the parser; for
`checkpoint` a first byte picks the reported steps; for `idx` one byte of
max_count and four of the split between the images and the labels file.
"""
import gzip
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def clear(target):
    d = os.path.join(HERE, target)
    if os.path.isdir(d):
        for f in os.listdir(d):
            if f.startswith("seed-"):
                os.unlink(os.path.join(d, f))


# ---- replay ----
def replay():
    t = "replay"
    clear(t)
    seeds = {
        "header": "p0 p1\n1 2\n0.5 -0.25\n0.5 -0.25\n",
        "commas": "# logged by torch\n1,2,3\n0.1, 0.2, 0.3\n-1e-3,0,4e-5\n",
        "crlf": "a\tb\r\n1\t2\r\n3\t4\r\n",
        "bom": "\xef\xbb\xbfp0\n1\n0.5\n",
        "mixed_first": "0.5 abc\n1\n0.5\n",
        "empty_fields": ",,,\n0.1\n",
        "trailing_comma": "1,2,\n",
        "double_comma": "1,,2\n",
        "f32_overflow": "1e39\n0.5\n",
        "f32_grad_overflow": "1\n1e39\n",
        "f32_edge": "3.4028234663852886e38\n3.4028235677973366e38\n",
        "escape": "1\n\x1b[31mred\n",
        "nul": "1\n2\n\x00x\n",
        "binary": "".join(chr(i) for i in range(256)),
        "nan_grad": "1 2\n0.5 nan\n",
        "nan_init": "nan\n1\n",
        "inf_tokens": "1 2\ninf -inf\n",
        "hex": "0x1p3 -0\n1e-320 2\n",
        "ragged": "1 2\n0.5 0.1 0.3\n",
        "two_headers": "p0\nq0\n1\n",
        "header_width": "p0 p1\n1\n",
        "header_only": "p0\n",
        "blank": "\n\n  \t\n",
        "comments_100": "".join("# comment %d\n" % i for i in range(100)) + "x y\n1 2\n3 4\n",
        "long_row": " ".join("%d" % i for i in range(500)) + "\n" + " ".join("0.%d" % i for i in range(500)) + "\n",
        "names": "w.0 w[1] b_(2) x-3\n1 2 3 4\n",
    }
    for k, v in seeds.items():
        write(t, k, v)


# ---- number and range: a selector byte, then the text ----
def number():
    t = "number"
    clear(t)
    texts = ["0.5", "1e308", "1e309", "-1e-400", "nan", "inf", "-inf", "0x10", "", "+4",
             "4.", "010", "1e-5", " 1", "1 ", "0.9999999", "2", "1.5", "9007199254740993",
             "18446744073709551615", "18446744073709551616", "0x1E", "+1",
             "00000000000000000000000000001", "-0", "1e9"]
    i = 0
    for sel in range(5):
        for text in texts:
            write(t, "%d_%02d" % (sel, i), bytes([sel]) + text.encode())
            i += 1


def range_():
    t = "range"
    clear(t)
    texts = ["3:1000:7", "3,5,1e14", "1:10", "1:100:7", "5:1", "1:10:0",
             "2.0000000000000004:1e308:100000000", ":", ",", "1,,2", "1:2:3:4",
             "-1e308:1e308:3", "3:3:1", "3:4:1", "1:9007199254740992", "1:100000001",
             "4,1e14", "2", "nan:3:4", "1e9:1e10:5", "1:2", "10:1000"]
    i = 0
    for sel in (0, 1, 2, 3, 7, 11, 4 * 40 + 3, 4 * 63 + 3):
        for text in texts:
            write(t, "%03d_%02d" % (sel, i), bytes([sel]) + text.encode())
            i += 1


# ---- the sweep's grid ----
GRID = "beta2\tmu\tsigma\tsteps\ttrials\tseed\n0.999\t0\t1\t60\t600\t1\n0.99\t0.1\t1\t40\t500\t2\n0.9\t1\t2\t30\t400\t3\n"


def grid():
    t = "grid"
    clear(t)
    seeds = {
        "small": "# a small grid\n" + GRID,
        "spaces_commas": "seed, trials, steps, sigma, mu, beta2, note\n1, 600, 60, 1, 0, 0.999, x\n",
        "comments_100": "".join("# %d\n" % i for i in range(100)) + GRID,
        "bom": "\xef\xbb\xbf" + GRID,
        "missing_column": "beta2 mu sigma steps trials\n0.9 0 1 10 10\n",
        "twice": "beta2 beta2 mu sigma steps trials seed\n0.9 0.9 0 1 10 10 1\n",
        "bad_value": "beta2 mu sigma steps trials seed\ngarbage 0 1 10 10 1\n",
        "ranges": "beta2 mu sigma steps trials seed\n1 0 1 10 10 1\n0.9 0 0 10 10 1\n0.9 0 1 1e10 10 1\n",
        "wide": " ".join(["beta2", "mu", "sigma", "steps", "trials", "seed"] + ["c%d" % i for i in range(70)]) + "\n"
                + " ".join(["0.9", "0", "1", "10", "10", "1"] + ["0"] * 70) + "\n",
        "nul": "beta2 mu sigma steps trials seed\n\x000.9 0 1 10 10 1\n",
        "no_points": "beta2 mu sigma steps trials seed\n",
        "ragged": "beta2 mu sigma steps trials seed\n0.9 0 1 10 10\n",
        "binary": "beta2 mu sigma steps trials seed\n\x01\x02\xff 0 1 10 10 1\n",
    }
    for k, v in seeds.items():
        write(t, k, v)


# ---- the sweep's checkpoint: what cli/checkpoint.c writes, for the grid
# of fuzz_checkpoint.c (id 6f0fae50) ----
POINTS = [(0.999, 0, 1, 60, 600, 1), (0.98999999999999999, 0.1, 1, 40, 500, 2), (0.9, 1, 2, 30, 400, 3)]
def sim_columns():
    """CLI_SIM_COLUMNS of cli/cli.h: the simulate columns of a row."""
    import re
    with open(os.path.join(HERE, "..", "..", "cli", "cli.h")) as f:
        return int(re.search(r"#define CLI_SIM_COLUMNS (\d+)", f.read()).group(1))


SIM_COLUMNS = sim_columns()
FIELDS = 1 + 6 + SIM_COLUMNS


def g17(x):
    return "%.17g" % x


def ck_header(n_report):
    return ("# radvar sweep checkpoint, format 2\n# grid: 6f0fae50, 3 points, %d rows a point, %d fields a row\n"
            % (n_report, FIELDS))


def ck_row(k, t, salt):
    fields = [str(k)] + [g17(v) for v in POINTS[k]] + [g17(t)]
    fields += [g17(1.0 / (3 + i + salt + k)) for i in range(SIM_COLUMNS - 2)] + ["nan"]
    text = "\t".join(fields)
    return text + "\t%08x\n" % zlib.crc32(text.encode())


def ck_done(k, rows):
    text = "#done %d %d" % (k, rows)
    return text + " %08x\n" % zlib.crc32(text.encode())


def ck_point(k, steps):
    return "".join(ck_row(k, t, i) for i, t in enumerate(steps)) + ck_done(k, len(steps))


def checkpoint():
    t = "checkpoint"
    clear(t)
    two = [5, 20]
    good2 = ck_header(2) + ck_point(0, two) + ck_point(2, two)
    last = lambda k: [POINTS[k][3]]
    good1 = ck_header(1) + ck_point(0, last(0)) + ck_point(1, last(1)) + ck_point(2, last(2))
    lines = good2.splitlines(keepends=True)
    seeds = {
        "good_two": (1, good2),
        "good_last": (0, good1),
        "header_only": (1, ck_header(2)),
        "header_cut": (1, ck_header(2)[:50]),
        "empty": (1, ""),
        "tail_cut": (1, good2[:-30]),
        "partial_point": (1, ck_header(2) + ck_point(0, two) + ck_row(1, 5, 0)),
        "changed_value": (1, good2.replace("0.33333333333333331", "0.33333333333333332", 1)),
        "garbage": (1, good2.replace("0.33333333333333331", "garbage", 1)),
        "duplicate_row": (1, "".join(lines[:3] + lines[2:])),
        "deleted_row": (1, "".join(lines[:2] + lines[3:])),
        "tab_to_space": (1, good2.replace("\t", " ", 3)),
        "nul_line": (1, ck_header(2) + "\x00" + ck_point(0, two)),
        "first_field_1e30": (1, ck_header(2) + ck_row(0, 5, 0).replace("0\t", "1e30\t", 1)),
        "other_grid": (1, good2.replace("6f0fae50", "00000000")),
        "format1": (1, "# radvar sweep checkpoint\n# grid: 0000000000000000\n"),
        "unrelated": (1, "important notes\ndo not delete\n"),
        "done_twice": (1, ck_header(2) + ck_point(0, two) + ck_point(0, two)),
        "wrong_t": (1, ck_header(2) + "".join(ck_row(0, t, 0) for t in (5, 21)) + ck_done(0, 2)),
    }
    for k, (sel, v) in seeds.items():
        write(t, k, bytes([sel]) + v.encode("latin-1"))


# ---- IDX: max_count, split, images, labels ----
def idx_images(n, rows, cols, count=None):
    head = struct.pack(">IIII", 0x803, n if count is None else count, rows, cols)
    return head + bytes((i * 37) % 256 for i in range(n * rows * cols))


def idx_labels(n, count=None):
    return struct.pack(">II", 0x801, n if count is None else count) + bytes(i % 10 for i in range(n))


def gz(data):
    return gzip.compress(data, mtime=0)


def idx():
    t = "idx"
    clear(t)

    def pair(name, images, labels, max_count=0):
        write(t, name, bytes([max_count]) + struct.pack("<I", len(images)) + images + labels)

    im, lb = idx_images(3, 2, 2), idx_labels(3)
    pair("gz", gz(im), gz(lb))
    pair("raw", im, lb)
    pair("gz_prefix", gz(im), gz(lb), 2)
    flipped = bytearray(gz(idx_images(40, 4, 4)))
    flipped[len(flipped) // 2] ^= 0x10
    pair("crc_flip_prefix", bytes(flipped), gz(idx_labels(40)), 1)
    pair("no_trailer", gz(im)[:-8], gz(lb))
    pair("trailing_garbage", gz(im) + b"junk", gz(lb))
    pair("two_members", gz(im[:10]) + gz(im[10:]), gz(lb))
    pair("zero_images", gz(idx_images(0, 2, 2)), gz(idx_labels(0)))
    pair("huge_claim", gz(idx_images(1, 28, 28, count=0xFFFFFFFF)), gz(idx_labels(1, count=0xFFFFFFFF)))
    pair("counts_differ", gz(im), gz(idx_labels(2)))
    pair("bad_label", im, lb[:-1] + b"\x0c")
    pair("extra_data", im + b"\x00", lb)
    pair("wide_image", gz(idx_images(1, 1, 4096)), gz(idx_labels(1)))
    pair("labels_as_images", gz(lb), gz(lb))


# ---- optimizer states: radvar_optim_save's format ----
def fnv1a(data, h=14695981039346656037):
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def state(method, dtype, flags, n, t, knobs, arrays):
    body = b"RADVAROPT\x00" + struct.pack("<IIIIQQ", 2, method, dtype, flags, n, t)
    body += b"".join(struct.pack("<d", k) for k in knobs)
    fmt = "<%d%s" % (n, "f" if dtype == 0 else "d")
    for a in arrays:
        body += struct.pack(fmt, *a)
    return body + struct.pack("<Q", fnv1a(body))


def optim_state():
    t = "optim_state"
    clear(t)
    adam = (1e-3, 0.9, 0.999, 1e-8, 0.0)
    # methods: 0 sgd, 1 adam, 2 adamw, 3 radam; dtype 0 float32, 1 float64;
    # flags 1: v kept, 2: vmax (amsgrad)
    write(t, "adam_f64", state(1, 1, 1, 3, 7, adam, [[0.1, -0.2, 0.3], [0.01, 0.02, 0.03]]))
    write(t, "adam_f32", state(1, 0, 1, 2, 1, adam, [[0.5, -0.5], [0.25, 0.25]]))
    write(t, "adam_amsgrad", state(1, 1, 3, 1, 2, adam, [[0.1], [0.2], [0.3]]))
    write(t, "adamw", state(2, 1, 1, 1, 5, (1e-3, 0.9, 0.999, 1e-8, 1e-2), [[0.1], [0.2]]))
    write(t, "radam", state(3, 1, 1, 2, 9, adam, [[0.1, 0.2], [0.3, 0.4]]))
    write(t, "sgd", state(0, 1, 0, 2, 3, (1e-2, 0.9, 0.999, 1e-8, 0.0), [[0.1, 0.2]]))
    good = state(1, 1, 1, 3, 7, adam, [[0.1, -0.2, 0.3], [0.01, 0.02, 0.03]])
    write(t, "truncated", good[:-3])
    write(t, "trailing", good + b"\x00")
    flipped = bytearray(good)
    flipped[60] ^= 1
    write(t, "bit_flip", bytes(flipped))
    write(t, "foreign", b"not a state file at all")
    write(t, "empty", b"")


if __name__ == "__main__":
    replay()
    number()
    range_()
    grid()
    checkpoint()
    idx()
    optim_state()
