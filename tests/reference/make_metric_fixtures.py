#!/usr/bin/python3
"""make_metric_fixtures.py — SciPy/NumPy references for the sample-quality metrics (src/metrics.c).

    /usr/bin/python3 tests/reference/make_metric_fixtures.py     # ~1 s, rewrites metric_fixtures/

Writes metric_fixtures/metrics.json: a few fixed feature sets (float32, drawn with a seeded NumPy
generator, stored with 9 significant digits so they round-trip exactly) and, computed in float64
from exactly those values by the published formulas:

- mean and covariance (numpy.cov, divided by n - 1);
- FID = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 sqrtm(S1 S2)) with scipy.linalg.sqrtm (as pytorch-fid);
  an eigh-based value is computed too and the script fails if the two disagree by > 1e-9;
- KID = unbiased MMD^2 with k(a, b) = (a.b/d + 1)^3 (Binkowski et al. 2018), once on the whole sets
  and once averaged over 100 subsets. The subsets are the C core's own: this script re-implements
  its PCG32 stream (src/rng.c) and the draw of wg_kid_draw_subset (partial Fisher-Yates, sorted),
  so the subset logic is checked end to end, not only the estimator;
- improved precision and recall, k = 3 (Kynkaanniemi et al. 2019) with scipy's cdist;
- Inception-style score exp(mean KL(p(y|x) || p(y))) with scipy.stats.entropy, from logits
  (scipy.special.softmax) and from probabilities (each row divided by its sum).
"""
import json
import os
import sys

import numpy as np
import scipy.linalg
import scipy.special
import scipy.stats
from scipy.spatial.distance import cdist

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'metric_fixtures')
STREAM_METRICS = 8   # WG_STREAM_METRICS in src/rng.h
M64 = (1 << 64) - 1


class Pcg32:
    """src/rng.c's PCG32 (XSH-RR) with its seeding and unbiased bounded draw."""

    def __init__(self, seed, stream):
        self.state, self.inc = 0, ((stream << 1) | 1) & M64
        self.u32()
        self.state = (self.state + seed) & M64
        self.u32()

    def u32(self):
        old = self.state
        self.state = (old * 6364136223846793005 + self.inc) & M64
        xorshifted = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF
        rot = old >> 59
        return ((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & 0xFFFFFFFF

    def below(self, n):
        limit = ((1 << 32) - n) % n
        while True:
            x = self.u32()
            if x >= limit:
                return x % n


def draw_subset(rng, n, m):
    perm = list(range(n))
    for i in range(m):
        j = i + rng.below(n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return sorted(perm[:m])


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def fid_sqrtm(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    if np.iscomplexobj(covmean):
        assert np.abs(covmean.imag).max() < 1e-8, 'sqrtm gave a complex root'
        covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid_eigh(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    w, v = np.linalg.eigh(s1)
    root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = root @ s2 @ root
    tr = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr)


def mmd2_unbiased(x, y):
    d = x.shape[1]
    kxx, kyy, kxy = (x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.sum() / (m * n))


def kid_subsets(x, y, subsets, size, seed):
    rng = Pcg32(seed, STREAM_METRICS)
    mx, my = min(len(x), size), min(len(y), size)
    values = []
    for _ in range(subsets):
        ix = draw_subset(rng, len(x), mx) if mx < len(x) else list(range(len(x)))
        iy = draw_subset(rng, len(y), my) if my < len(y) else list(range(len(y)))
        values.append(mmd2_unbiased(x[ix], y[iy]))
    return float(np.mean(values)), float(np.std(values))


def precision_recall(real, fake, k):
    """Returns precision, recall and the smallest |distance - radius| gap seen (ties would make
    the result depend on rounding; the script insists the gap is clear)."""
    rr = np.sort(cdist(real, real, 'sqeuclidean'), axis=1)[:, k]   # column 0 is the point itself
    ff = np.sort(cdist(fake, fake, 'sqeuclidean'), axis=1)[:, k]
    rf = cdist(real, fake, 'sqeuclidean')
    precision = float((rf <= rr[:, None]).any(axis=0).mean())
    recall = float((rf <= ff[None, :]).any(axis=1).mean())
    gap = min(np.abs(rf - rr[:, None]).min(), np.abs(rf - ff[None, :]).min())
    return precision, recall, float(gap)


def inception_score(p):
    marginal = p.mean(0)
    return float(np.exp(np.mean([scipy.stats.entropy(row, marginal) for row in p])))


def correlated(rng, n, d, scale, offset):
    a = rng.normal(size=(d, d)) * scale / np.sqrt(d)
    return f32(rng.normal(size=(n, d)) @ a + offset)


def case(name, x, y, kid_size, kid_seed, logits):
    fid = fid_sqrtm(x, y)
    fid_check = fid_eigh(x, y)
    assert abs(fid - fid_check) <= 1e-9 * abs(fid), (name, fid, fid_check)
    precision, recall, gap = precision_recall(x, y, 3)
    assert gap > 1e-9, f'{name}: a distance ties a radius ({gap}); change the seed'
    assert 0 < precision < 1 and 0 < recall < 1, (name, precision, recall)
    kid_mean, kid_std = kid_subsets(x, y, 100, kid_size, kid_seed)
    probs = f32(scipy.special.softmax(logits, axis=1))
    return {
        'name': name, 'dim': x.shape[1], 'n_real': len(x), 'n_fake': len(y),
        'real': short(x), 'fake': short(y),
        'mean_real': x.mean(0).tolist(), 'cov_real': np.cov(x, rowvar=False).ravel().tolist(),
        'fid': fid,
        'kid_full': mmd2_unbiased(x, y),
        'kid_subsets': {'subsets': 100, 'size': kid_size, 'seed': kid_seed, 'mean': kid_mean, 'std': kid_std},
        'k': 3, 'precision': precision, 'recall': recall,
        'classes': logits.shape[1], 'n_logits': len(logits), 'logits': short(logits),
        'is_logits': inception_score(scipy.special.softmax(logits, axis=1)),
        'probs': short(probs),
        'is_probs': inception_score(probs / probs.sum(1, keepdims=True)),
    }


def short(a):
    """float32 values as the shortest decimals that round back to the same float32 (~9 digits)."""
    return [float(str(np.float32(v))) for v in np.asarray(a).ravel()]


def main():
    rng = np.random.default_rng(20261201)
    cases = []
    # Small: d = 8, different sizes, means 0.4 apart.
    x = correlated(rng, 60, 8, 1.0, 0.0)
    y = correlated(rng, 50, 8, 1.3, 0.4)
    cases.append(case('small_d8', x, y, 20, 7, f32(rng.normal(size=(40, 10)) * 2.5)))
    # Medium: d = 24, features far from the origin (offset 5) as post-ReLU judge features are,
    # close distributions (FID small against the means' size: cancellation is exercised).
    x = correlated(rng, 150, 24, 1.0, 5.0)
    y = f32(0.8 * x[rng.permutation(150)[:130]] + 1.5 + 0.8 * rng.normal(size=(130, 24)))
    cases.append(case('medium_d24', x, y, 64, 11, f32(rng.normal(size=(64, 10)) * 4.0)))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'metrics.json'), 'w') as f:
        # Inputs in ~9 digits (exact float32), references with float64's 17; one case per line.
        f.write('{"cases": [\n' + ',\n'.join(json.dumps(c, separators=(',', ':')) for c in cases) + '\n]}\n')
    for c in cases:
        print(f"{c['name']}: fid {c['fid']:.6f} kid_full {c['kid_full']:.6f} kid {c['kid_subsets']['mean']:.6f}"
              f"±{c['kid_subsets']['std']:.6f} P {c['precision']:.3f} R {c['recall']:.3f} IS {c['is_logits']:.4f}",
              file=sys.stderr)


if __name__ == '__main__':
    main()
