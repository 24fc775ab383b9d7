# Regenerate: /usr/bin/python3 packages/data/scripts/select-reference.py > packages/data/fixtures/select.json
# (run from the repository root; scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2 from Debian's system Python)
#
# Reference values for PCA, feature selection (variance threshold, univariate scores, select-k-best)
# and mutual information. Deterministic: fixed dataset subsets, fixed seeds.
import json
import sys

import numpy as np
from scipy import stats
from sklearn.datasets import load_diabetes, load_digits, load_iris, load_wine
from sklearn.decomposition import PCA
from sklearn.feature_selection import (
    SelectKBest,
    VarianceThreshold,
    chi2,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd
from sklearn.metrics import mutual_info_score
from sklearn.preprocessing import scale


def rows(a):
    return [[float(v) for v in r] for r in np.asarray(a, dtype=float)]


def vec(a):
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float)]


iris = load_iris()
wine = load_wine()
digits = load_digits()
diabetes = load_diabetes()
rng = np.random.RandomState(0)
digit_rows = np.sort(rng.choice(digits.data.shape[0], 120, replace=False))
# Digits: drop the always-zero pixels of this subset so every column has variance.
digits_x = digits.data[digit_rows]
digits_x = digits_x[:, digits_x.std(axis=0) > 0][:, :40]
digits_y = digits.target[digit_rows]

datasets = {
    "iris": (iris.data, iris.target),
    "wine": (wine.data, wine.target),
    "digits": (digits_x, digits_y),
}

out = {"datasets": {k: {"x": rows(x), "y": [int(v) for v in y]} for k, (x, y) in datasets.items()}}
out["datasets"]["diabetes"] = {"x": rows(diabetes.data[:200]), "y": vec(diabetes.target[:200])}

pca_cases = []
for name, n_components, whiten in [
    ("iris", 3, False),
    ("iris", 0.95, False),
    ("wine", 5, True),
    ("wine", 0.999, False),
    ("digits", 10, False),
    ("digits", 8, True),
]:
    x = datasets[name][0]
    pca = PCA(n_components=n_components, whiten=whiten, svd_solver="full").fit(x)
    pca_cases.append(
        {
            "dataset": name,
            "nComponents": n_components,
            "whiten": whiten,
            "nComponentsFitted": int(pca.n_components_),
            "mean": vec(pca.mean_),
            "components": rows(pca.components_),
            "explainedVariance": vec(pca.explained_variance_),
            "explainedVarianceRatio": vec(pca.explained_variance_ratio_),
            "singularValues": vec(pca.singular_values_),
            "transformed": rows(pca.transform(x)),
        }
    )
out["pca"] = pca_cases

univariate = {}
for name in ["iris", "wine", "digits"]:
    x, y = datasets[name]
    f, p = f_classif(x, y)
    c, cp = chi2(x, y)
    univariate[name] = {"fClassif": [vec(f), vec(p)], "chi2": [vec(c), vec(cp)]}
dx, dy = diabetes.data[:200], diabetes.target[:200]
f, p = f_regression(dx, dy)
univariate["diabetes"] = {"fRegression": [vec(f), vec(p)]}
out["univariate"] = univariate

# Distribution tails straight from scipy (the p-values above depend on them).
dist = []
for d1, d2, value in [(2, 147, 1180.16), (2, 147, 0.5), (1, 198, 3.2), (5, 30, 0.01), (9, 110, 4.7), (1, 10, 1e6)]:
    dist.append({"kind": "f", "d1": d1, "d2": d2, "x": value, "sf": float(stats.f.sf(value, d1, d2))})
for k, value in [(1, 0.5), (2, 10.2), (9, 3.1), (9, 250.0), (40, 38.0), (3, 1200.0)]:
    dist.append({"kind": "chi2", "df": k, "x": value, "sf": float(stats.chi2.sf(value, k))})
out["distributions"] = dist

# Low-level MI estimators on sklearn's scaled data (stored under "scaled"), without noise:
# deterministic, so the comparison is exact up to rounding.
scaled = {
    "iris": scale(iris.data, with_mean=False),
    "wine": scale(wine.data, with_mean=False),
    "diabetes": scale(diabetes.data[:200], with_mean=False),
}
diabetes_y_scaled = scale(diabetes.target[:200], with_mean=False)
out["scaled"] = {k: rows(v) for k, v in scaled.items()}
out["scaled"]["diabetesTarget"] = vec(diabetes_y_scaled)
dx, dy = diabetes.data[:200], diabetes.target[:200]
mi_low = []
for name in ["iris", "wine"]:
    xs, y = scaled[name], datasets[name][1]
    for j in range(4):
        for k in [3, 5]:
            mi_low.append({"kind": "cd", "dataset": name, "column": j, "k": k,
                           "mi": float(_compute_mi_cd(xs[:, j], y, k))})
    for j in range(3):
        for k in [3, 4]:
            mi_low.append({"kind": "cc", "dataset": name, "column": j, "other": j + 1, "k": k,
                           "mi": float(_compute_mi_cc(xs[:, j], xs[:, j + 1], k))})
for j in [0, 2, 3, 8]:
    mi_low.append({"kind": "cc", "dataset": "diabetes", "column": j, "other": "target", "k": 3,
                   "mi": float(_compute_mi_cc(scaled["diabetes"][:, j], diabetes_y_scaled, 3))})
# Discrete-discrete: digits pixels (intensity levels 0..16) against the digit.
for j in [5, 10, 20]:
    mi_low.append({"kind": "dd", "dataset": "digits", "column": j,
                   "mi": float(mutual_info_score(digits_x[:, j], digits_y))})
out["miLow"] = mi_low

# Public estimators end to end (their noise is random: compare loosely).
out["miPublic"] = {
    "irisClassif": vec(mutual_info_classif(iris.data, iris.target, random_state=0)),
    "wineClassif": vec(mutual_info_classif(wine.data, wine.target, random_state=0)),
    "digitsClassifDiscrete": vec(mutual_info_classif(digits_x, digits_y, discrete_features=True, random_state=0)),
    "diabetesRegression": vec(mutual_info_regression(dx, dy, random_state=0)),
}

selectors = []
for name, k, score in [("iris", 2, "f_classif"), ("wine", 5, "f_classif"), ("wine", 4, "chi2"), ("digits", 12, "f_classif")]:
    x, y = datasets[name]
    fn = {"f_classif": f_classif, "chi2": chi2}[score]
    sel = SelectKBest(fn, k=k).fit(x, y)
    selectors.append({"dataset": name, "k": k, "scoring": score, "support": [int(i) for i in sel.get_support(indices=True)]})
sel = SelectKBest(f_regression, k=4).fit(dx, dy)
selectors.append({"dataset": "diabetes", "k": 4, "scoring": "f_regression", "support": [int(i) for i in sel.get_support(indices=True)]})
# Ties: identical scores (duplicated columns); sklearn's stable ascending argsort keeps the later ones.
tie_x = np.hstack([iris.data[:, [2, 2, 3, 2]]])
sel = SelectKBest(f_classif, k=2).fit(tie_x, iris.target)
selectors.append({"dataset": "irisTies", "x": rows(tie_x), "k": 2, "scoring": "f_classif",
                  "support": [int(i) for i in sel.get_support(indices=True)]})
out["selectKBest"] = selectors

variance = []
for name, threshold in [("wine", 0.0), ("wine", 1.0), ("digits", 10.0)]:
    x = datasets[name][0]
    vt = VarianceThreshold(threshold).fit(x)
    variance.append({"dataset": name, "threshold": threshold, "variances": vec(vt.variances_),
                     "support": [int(i) for i in vt.get_support(indices=True)]})
out["varianceThreshold"] = variance

# Correlation filter reference: keep a column unless |r| with an already kept earlier column > t.
corr = []
for name, threshold, method in [("wine", 0.7, "pearson"), ("digits", 0.6, "pearson"), ("wine", 0.7, "spearman")]:
    x = datasets[name][0]
    r = np.corrcoef(x, rowvar=False) if method == "pearson" else stats.spearmanr(x).correlation
    kept = []
    for j in range(x.shape[1]):
        if all(abs(r[i, j]) <= threshold for i in kept):
            kept.append(j)
    corr.append({"dataset": name, "threshold": threshold, "method": method, "support": kept})
out["correlationFilter"] = corr

json.dump(out, sys.stdout, separators=(",", ":"))
