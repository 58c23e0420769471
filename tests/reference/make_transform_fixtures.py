#!/usr/bin/python3
"""Generate SciPy / Pillow reference fixtures for the image transforms (src/transform.h).

For every case a float32 image (C, H, W) with values in [0, 1) is drawn (numpy seeded with
crc32(name)), the reference library is run on exactly those values, and the result is written
to tests/reference/transform_fixtures/<name>.json; MANIFEST lists the files.

    /usr/bin/python3 tests/reference/make_transform_fixtures.py           # regenerate all
    /usr/bin/python3 tests/reference/make_transform_fixtures.py --report  # also print notes

Needs Debian's python3-numpy, python3-scipy, python3-pil (written against numpy 1.24,
SciPy 1.10, Pillow 9.4). Not needed at test time.

References, per op:
  gaussian  scipy.ndimage.gaussian_filter(x, sigma, mode='reflect', truncate=4.0) per channel,
            in float64 on the float32 input (radius int(4 * sigma + 0.5), SciPy's rule).
  box       scipy.ndimage.uniform_filter(x, size=2r+1, mode='reflect') per channel, float64.
  rotate    Pillow Image.rotate(angle, resample=BILINEAR, expand=False, fillcolor=fill) on a
            mode 'F' (float32) image per channel. Cases use non-square images or angles other
            than 0/90/180/270 so Pillow takes its general affine path, never its transpose
            shortcut. "matrix" holds Pillow's inverse affine coefficients, recomputed here
            exactly as Image.rotate does, to compare the C coefficient computation.
  resize    bilinear: Pillow Image.resize((w, h), BILINEAR) on mode 'F' (float32 result).
            area: Pillow Image.resize((w, h), BOX) on mode 'F' where the ratio is an integer
            (then BOX is exactly the area average); otherwise an exact area average computed
            here in float64 ("reference": "exact_area"), since Pillow's BOX weighs whole
            source pixels by whether their centre falls in the box, not by fractional overlap.
            Those cases also store Pillow's BOX output as "pillow_box" for comparison.
"""

import argparse
import json
import math
import os
import zlib

import numpy as np
import scipy
import scipy.ndimage as ndi
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "transform_fixtures")


def r9(x):
    """9 significant digits: exact for float32 values, 5e-10 relative for float64 ones."""
    return float("%.9g" % x)


def flat(a):
    return [r9(v) for v in np.asarray(a, dtype=np.float64).reshape(-1).tolist()]


def image(name, C, H, W):
    rng = np.random.default_rng(zlib.crc32(name.encode("utf-8")))
    return rng.random((C, H, W), dtype=np.float32)


def to_pil(plane):
    return Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32), mode="F")


def from_pil(im):
    a = np.asarray(im, dtype=np.float32)
    return a


# ---------------------------------------------------------------------------------------------
# references

def ref_gaussian(x, sigma):
    return np.stack([ndi.gaussian_filter(p.astype(np.float64), sigma, mode="reflect", truncate=4.0)
                     for p in x])


def ref_box(x, r):
    return np.stack([ndi.uniform_filter(p.astype(np.float64), size=2 * r + 1, mode="reflect")
                     for p in x])


def pillow_rotate_matrix(w, h, angle):
    """The inverse affine matrix Image.rotate builds (Pillow 9.4, expand=False, no center)."""
    angle = angle % 360.0
    cx, cy = w / 2.0, h / 2.0
    a = -math.radians(angle)
    m = [round(math.cos(a), 15), round(math.sin(a), 15), 0.0,
         round(-math.sin(a), 15), round(math.cos(a), 15), 0.0]
    m[2] = m[0] * -cx + m[1] * -cy + m[2]
    m[5] = m[3] * -cx + m[4] * -cy + m[5]
    m[2] += cx
    m[5] += cy
    return m


def ref_rotate(x, angle, fill):
    return np.stack([from_pil(to_pil(p).rotate(angle, resample=Image.BILINEAR, expand=False,
                                               fillcolor=fill)) for p in x])


def ref_resize_pillow(x, ow, oh, resample):
    return np.stack([from_pil(to_pil(p).resize((ow, oh), resample)) for p in x])


def area_matrix(n_in, n_out):
    """(n_out, n_in) weights: overlap of output box [i n_in/n_out, (i+1) n_in/n_out) with
    source pixel [j, j+1), divided by the box length n_in/n_out (exact rationals)."""
    A = np.zeros((n_out, n_in))
    for i in range(n_out):
        a, b = i * n_in, (i + 1) * n_in          # box in units of 1/n_out
        for j in range(n_in):
            lo, hi = max(a, j * n_out), min(b, (j + 1) * n_out)
            if hi > lo:
                A[i, j] = (hi - lo) / n_in
    return A


def ref_area(x, ow, oh):
    Ah, Aw = area_matrix(x.shape[1], oh), area_matrix(x.shape[2], ow)
    return np.stack([Ah @ p.astype(np.float64) @ Aw.T for p in x])


# ---------------------------------------------------------------------------------------------
# cases: (name, op, C, H, W, params)

CASES = [
    # gaussian: odd, non-square sizes; sigma 3 has radius 12 > H = 9 (repeated reflection)
    ("gaussian_s0.5_c1_9x13", "gaussian", 1, 9, 13, {"sigma": 0.5}),
    ("gaussian_s1.5_c1_9x13", "gaussian", 1, 9, 13, {"sigma": 1.5}),
    ("gaussian_s3_c1_9x13", "gaussian", 1, 9, 13, {"sigma": 3.0}),
    ("gaussian_s1_c3_10x7", "gaussian", 3, 10, 7, {"sigma": 1.0}),
    ("gaussian_s0.3_c1_6x5", "gaussian", 1, 6, 5, {"sigma": 0.3}),
    ("gaussian_s2.2_c3_1x11", "gaussian", 3, 1, 11, {"sigma": 2.2}),
    ("gaussian_s0.8_c1_17x3", "gaussian", 1, 17, 3, {"sigma": 0.8}),
    # box blur
    ("box_r1_c1_9x13", "box", 1, 9, 13, {"radius": 1}),
    ("box_r2_c3_13x9", "box", 3, 13, 9, {"radius": 2}),
    ("box_r4_c1_5x6", "box", 1, 5, 6, {"radius": 4}),
    ("box_r3_c1_1x8", "box", 1, 1, 8, {"radius": 3}),
    ("box_r0_c1_4x5", "box", 1, 4, 5, {"radius": 0}),
    # rotation (Pillow general path: non-square, or an angle that is not a multiple of 90)
    ("rotate_15_c1_9x13", "rotate", 1, 9, 13, {"angle": 15.0, "fill": 0.0}),
    ("rotate_30_c1_9x13", "rotate", 1, 9, 13, {"angle": 30.0, "fill": 0.0}),
    ("rotate_-45_c1_9x13", "rotate", 1, 9, 13, {"angle": -45.0, "fill": 0.0}),
    ("rotate_90_c1_9x13", "rotate", 1, 9, 13, {"angle": 90.0, "fill": 0.0}),
    ("rotate_90_c1_8x11", "rotate", 1, 8, 11, {"angle": 90.0, "fill": 0.25}),
    ("rotate_30_c3_10x10_fill0.5", "rotate", 3, 10, 10, {"angle": 30.0, "fill": 0.5}),
    ("rotate_200.5_c1_7x12", "rotate", 1, 7, 12, {"angle": 200.5, "fill": 1.0}),
    ("rotate_-370_c1_11x6", "rotate", 1, 11, 6, {"angle": -370.0, "fill": 0.0}),
    ("rotate_123.4_c1_16x16", "rotate", 1, 16, 16, {"angle": 123.4, "fill": 0.0}),
    # resize, sizes as Pillow's (width, height)
    ("resize_bilinear_up_c1_4x5_to_9x13", "resize", 1, 4, 5, {"filter": "bilinear", "out_w": 13, "out_h": 9}),
    ("resize_bilinear_up2_c3_6x7_to_12x14", "resize", 3, 6, 7, {"filter": "bilinear", "out_w": 14, "out_h": 12}),
    ("resize_bilinear_up_c1_1x3_to_4x8", "resize", 1, 1, 3, {"filter": "bilinear", "out_w": 8, "out_h": 4}),
    ("resize_bilinear_down_c1_9x13_to_4x5", "resize", 1, 9, 13, {"filter": "bilinear", "out_w": 5, "out_h": 4}),
    ("resize_bilinear_mixed_c1_4x10_to_9x6", "resize", 1, 4, 10, {"filter": "bilinear", "out_w": 6, "out_h": 9}),
    ("resize_area_int_c1_9x12_to_3x4", "resize", 1, 9, 12, {"filter": "area", "out_w": 4, "out_h": 3}),
    ("resize_area_int_c3_16x16_to_4x8", "resize", 3, 16, 16, {"filter": "area", "out_w": 8, "out_h": 4}),
    ("resize_area_int_c1_28x28_to_14x14", "resize", 1, 28, 28, {"filter": "area", "out_w": 14, "out_h": 14}),
    ("resize_area_frac_c1_9x13_to_4x5", "resize", 1, 9, 13, {"filter": "area", "out_w": 5, "out_h": 4}),
    ("resize_area_frac_c3_10x7_to_3x6", "resize", 3, 10, 7, {"filter": "area", "out_w": 6, "out_h": 3}),
]


def make_case(name, op, C, H, W, params, report):
    x = image(name, C, H, W)
    doc = {"name": name, "op": op, "params": params, "input_shape": [C, H, W]}
    extra = {}
    if op == "gaussian":
        y, ref = ref_gaussian(x, params["sigma"]), "scipy.ndimage.gaussian_filter"
        params["radius"] = int(4.0 * params["sigma"] + 0.5)
    elif op == "box":
        y, ref = ref_box(x, params["radius"]), "scipy.ndimage.uniform_filter"
    elif op == "rotate":
        assert W != H or params["angle"] % 90.0 != 0.0, "would take Pillow's transpose shortcut"
        y, ref = ref_rotate(x, params["angle"], params["fill"]), "PIL.Image.rotate"
        extra["matrix"] = [float(v) for v in pillow_rotate_matrix(W, H, params["angle"])]
    elif op == "resize":
        ow, oh = params["out_w"], params["out_h"]
        if params["filter"] == "bilinear":
            y, ref = ref_resize_pillow(x, ow, oh, Image.BILINEAR), "PIL.Image.resize BILINEAR"
        elif H % oh == 0 and W % ow == 0:
            y, ref = ref_resize_pillow(x, ow, oh, Image.BOX), "PIL.Image.resize BOX"
            exact = ref_area(x, ow, oh)
            assert np.abs(y - exact).max() < 1e-6, "integer-ratio BOX should be the area mean"
        else:
            y, ref = ref_area(x, ow, oh), "exact_area"
            box = ref_resize_pillow(x, ow, oh, Image.BOX)
            extra["pillow_box"] = flat(box)
            if report:
                print("  %s: Pillow BOX differs from the exact area mean by up to %.3g"
                      % (name, np.abs(box - y).max()))
    else:
        raise ValueError(op)
    doc["reference"] = ref
    doc["input"] = flat(x)
    doc["output_shape"] = list(y.shape)
    doc["output"] = flat(y)
    doc.update(extra)
    return doc


def dump(doc):
    """One top-level key per line, compact arrays (like tests/reference/fixtures)."""
    lines = ["  %s: %s" % (json.dumps(k), json.dumps(v, separators=(",", ":"))) for k, v in doc.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", action="store_true", help="print reference notes")
    args = ap.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    if args.report:
        print("numpy %s, scipy %s, Pillow %s" % (np.__version__, scipy.__version__, PIL.__version__))
    names = []
    for name, op, C, H, W, params in CASES:
        doc = make_case(name, op, C, H, W, dict(params), args.report)
        with open(os.path.join(OUT_DIR, name + ".json"), "w") as f:
            f.write(dump(doc))
        names.append(name + ".json")
    with open(os.path.join(OUT_DIR, "MANIFEST"), "w") as f:
        f.write("\n".join(names) + "\n")
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in names)
    print("wrote %d fixtures (%d bytes) to %s" % (len(names), total, OUT_DIR))


if __name__ == "__main__":
    main()
