#!/usr/bin/python3
"""Reference values for src/metrics/*.test.ts, computed with scikit-learn.

Run with Debian's Python (python3-sklearn):
    /usr/bin/python3 packages/trainer/scripts/metrics-reference.py
It writes test/fixtures/metrics-reference.json. Cases are seeded, and built to hit the edge cases:
tied scores, a class that is never predicted, a class absent from the targets, a constant
regression target. A metric sklearn refuses (raises ValueError) is recorded as null.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M

warnings.simplefilter("ignore")
rng = np.random.default_rng(20240611)
OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "metrics-reference.json")


def maybe(fn):
    try:
        return float(fn())
    except ValueError:
        return None


def floats(a):
    return [None if np.isnan(x) else float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def quantised_probs(n, k, levels, never=None):
    """Rows of small integer counts / row sum: coarse values, so scores tie often."""
    counts = rng.integers(0, levels, size=(n, k)).astype(np.float64)
    if never is not None:
        # Never the arg-max: a class that is never predicted.
        counts[:, never] = 0
    counts[counts.sum(axis=1) == 0, 0] = 1
    return counts / counts.sum(axis=1, keepdims=True)


def classification_case(name, y, probs):
    k = probs.shape[1]
    labels = list(range(k))
    pred = probs.argmax(axis=1)
    case = {"name": name, "classes": k, "targets": [int(v) for v in y], "probabilities": floats(probs)}
    p, r, f, s = M.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    case["accuracy"] = float(M.accuracy_score(y, pred))
    case["confusion"] = M.confusion_matrix(y, pred, labels=labels).ravel().tolist()
    case["precision"], case["recall"], case["f1"] = floats(p), floats(r), floats(f)
    case["support"] = [int(v) for v in s]
    for avg in ("macro", "micro", "weighted"):
        ap, ar, af, _ = M.precision_recall_fscore_support(y, pred, labels=labels, average=avg, zero_division=0)
        case[avg] = {"precision": float(ap), "recall": float(ar), "f1": float(af)}
    case["logLoss"] = float(M.log_loss(y, probs, labels=labels))
    if k == 2:
        case["rocAuc"] = maybe(lambda: M.roc_auc_score(y, probs[:, 1]))
    else:
        case["rocAucOvrMacro"] = maybe(lambda: M.roc_auc_score(y, probs, multi_class="ovr", average="macro", labels=labels))
        case["rocAucOvrWeighted"] = maybe(
            lambda: M.roc_auc_score(y, probs, multi_class="ovr", average="weighted", labels=labels)
        )
        case["rocAucPerClass"] = [maybe(lambda j=j: M.roc_auc_score(y == j, probs[:, j])) for j in labels]
    return case


classification = []
# Binary, heavy ties.
y = rng.integers(0, 2, 80)
classification.append(classification_case("binary-ties", y, quantised_probs(80, 2, 4)))
# Binary, continuous scores, one exact 0 and 1 (exercises log-loss clipping).
probs = rng.uniform(size=(60, 1))
probs[0, 0], probs[1, 0] = 0.0, 1.0
y = (rng.uniform(size=60) < probs[:, 0] * 0.8 + 0.1).astype(int)
classification.append(classification_case("binary-continuous", y, np.hstack([1 - probs, probs])))
# Four classes, ties, class 3 never predicted.
y = rng.integers(0, 4, 120)
classification.append(classification_case("multiclass-never-predicted", y, quantised_probs(120, 4, 5, never=3)))
# Five classes, class 2 absent from the targets (ROC-AUC over classes is undefined there).
y = rng.choice([0, 1, 3, 4], 90)
classification.append(classification_case("multiclass-absent-target", y, quantised_probs(90, 5, 6)))
# Three classes, softmax of noisy logits: continuous scores, all classes present.
y = rng.integers(0, 3, 100)
logits = rng.normal(size=(100, 3)) + 1.5 * np.eye(3)[y]
soft = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
classification.append(classification_case("multiclass-softmax", y, soft))

multilabel = []
for name, n, k in (("multilabel-a", 70, 4), ("multilabel-b", 40, 3)):
    truth = (rng.uniform(size=(n, k)) < 0.4).astype(int)
    truth[:, -1] = 0 if name == "multilabel-b" else truth[:, -1]  # a label never present
    scores = np.round(np.clip(truth * 0.35 + rng.uniform(size=(n, k)) * 0.65, 0, 1), 1)
    pred = (scores >= 0.5).astype(int)
    p, r, f, s = M.precision_recall_fscore_support(truth, pred, zero_division=0)
    multilabel.append(
        {
            "name": name,
            "labels": k,
            "targets": truth.ravel().tolist(),
            "probabilities": floats(scores),
            "precision": floats(p),
            "recall": floats(r),
            "f1": floats(f),
            "support": [int(v) for v in s],
            "microF1": float(M.f1_score(truth, pred, average="micro", zero_division=0)),
            "macroF1": float(M.f1_score(truth, pred, average="macro", zero_division=0)),
            "microPrecision": float(M.precision_score(truth, pred, average="micro", zero_division=0)),
            "microRecall": float(M.recall_score(truth, pred, average="micro", zero_division=0)),
            "hammingLoss": float(M.hamming_loss(truth, pred)),
            "subsetAccuracy": float(M.accuracy_score(truth, pred)),
        }
    )

regression = []
for name, t, p in (
    ("regression-noisy", rng.normal(3, 2, 50), None),
    ("regression-constant-target-exact", np.full(10, -2.0), np.full(10, -2.0)),
    ("regression-constant-target-off", np.full(10, -2.0), np.full(10, -2.0) + np.linspace(0, 1e-3, 10)),
):
    if p is None:
        p = t + rng.normal(0, 1, t.shape)
    regression.append(
        {
            "name": name,
            "targets": floats(t),
            "predictions": floats(p),
            "mae": float(M.mean_absolute_error(t, p)),
            "rmse": float(np.sqrt(M.mean_squared_error(t, p))),
            "r2": float(M.r2_score(t, p)),
        }
    )

with open(OUT, "w") as f:
    json.dump(
        {
            "generator": "packages/trainer/scripts/metrics-reference.py",
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "classification": classification,
            "multiLabel": multilabel,
            "regression": regression,
        },
        f,
        separators=(",", ":"),
    )
print("wrote", os.path.normpath(OUT))
