# Regenerate: /usr/bin/python3 packages/data/scripts/anomaly-reference.py > packages/data/fixtures/anomaly.json
# (run from the repository root; scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2; deterministic, seeded)
"""Reference values for packages/data/src/anomaly: z-scores (scipy.stats.zscore, ddof=0), IQR fences
(numpy.percentile, linear), sklearn's average path length c(n), and an IsolationForest run on wine with
planted outliers (its scores are a comparison point only: sklearn's trees draw from its own RNG)."""
import json

import numpy as np
import scipy.stats
import sklearn
from sklearn.datasets import load_wine
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length
from sklearn.metrics import roc_auc_score

wine = load_wine()
X = wine.data.astype(float)
names = list(wine.feature_names)

z = scipy.stats.zscore(X, axis=0, ddof=0)
q1 = np.percentile(X, 25, axis=0)
q3 = np.percentile(X, 75, axis=0)
iqr = q3 - q1
lower = q1 - 1.5 * iqr
upper = q3 + 1.5 * iqr

# Planted outliers: 10 copies of random rows with 3 random features pushed 6 standard deviations out.
rng = np.random.RandomState(0)
mean, std = X.mean(axis=0), X.std(axis=0)
planted = []
for _ in range(10):
    row = X[rng.randint(len(X))].copy()
    cols = rng.choice(X.shape[1], 3, replace=False)
    signs = rng.choice([-1.0, 1.0], 3)
    row[cols] = mean[cols] + signs * 6 * std[cols]
    planted.append(row)
Xp = np.vstack([X, np.array(planted)])
labels = np.r_[np.zeros(len(X)), np.ones(len(planted))]
forest = IsolationForest(n_estimators=100, random_state=0).fit(Xp)
scores = forest.score_samples(Xp)
forest10 = IsolationForest(n_estimators=100, contamination=0.1, random_state=0).fit(Xp)

ns = [0, 1, 2, 3, 4, 5, 10, 50, 100, 255, 256, 1000, 100000]
out = {
    "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "wine": {
        "featureNames": names,
        "rows": X.tolist(),
        "zscore": {
            "mean": X.mean(axis=0).tolist(),
            "std": X.std(axis=0).tolist(),
            "maxAbs": np.abs(z).max(axis=0).tolist(),
            "cells": [[int(r), int(c), float(z[r, c])] for r, c in zip(*np.nonzero(np.abs(z) > 3))],
        },
        "iqr": {
            "q1": q1.tolist(),
            "q3": q3.tolist(),
            "lower": lower.tolist(),
            "upper": upper.tolist(),
            "cells": [[int(r), int(c)] for r, c in zip(*np.nonzero((X < lower) | (X > upper)))],
        },
    },
    "averagePathLength": {"n": ns, "c": _average_path_length(np.array(ns)).tolist()},
    "isolationForest": {
        "rows": Xp.tolist(),
        "labels": labels.astype(int).tolist(),
        "sklearnScoreSamples": scores.tolist(),
        "sklearnOffsetAuto": float(forest.offset_),
        "sklearnAuc": float(roc_auc_score(labels, -scores)),
        "sklearnOffsetContamination10": float(forest10.offset_),
        "sklearnOutliersContamination10": int((forest10.predict(Xp) == -1).sum()),
    },
}
print(json.dumps(out))
