# Regenerate: /usr/bin/python3 packages/data/scripts/align-reference.py > packages/data/fixtures/align.json
# Reference values for the align / fuse areas: numpy.interp on a jittered sine stream, and the
# stacking meta-models (sklearn Ridge, multinomial LogisticRegression) fitted on out-of-fold
# per-source predictions of bundled datasets (diabetes, iris). Deterministic (seeded, no download).
import json

import numpy as np
from sklearn.datasets import load_diabetes, load_iris
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB

rng = np.random.default_rng(7)

# numpy.interp: irregular sample times, query times inside and outside the range
xp = np.cumsum(rng.uniform(0.05, 0.4, size=40))
fp = np.sin(xp) + 0.1 * rng.normal(size=40)
x = np.sort(rng.uniform(xp[0] - 0.5, xp[-1] + 0.5, size=60))
x = np.concatenate([x, xp[[0, 5, 39]]])  # exact hits, including both ends
interp = np.interp(x, xp, fp)
inside = (x >= xp[0]) & (x <= xp[-1])

# ridge stacker: two linear regressions on disjoint feature subsets of diabetes, out-of-fold
X, y = load_diabetes(return_X_y=True)
kf = KFold(5, shuffle=True, random_state=0)
a = cross_val_predict(LinearRegression(), X[:, :5], y, cv=kf)
b = cross_val_predict(LinearRegression(), X[:, 5:], y, cv=kf)
ridge = Ridge(alpha=10.0).fit(np.column_stack([a, b]), y)

# logistic stacker: class probabilities of two weak models on iris, out-of-fold
Xi, yi = load_iris(return_X_y=True)
kf3 = KFold(5, shuffle=True, random_state=0)
pa = cross_val_predict(GaussianNB(), Xi[:, :2], yi, cv=kf3, method="predict_proba")
pb = cross_val_predict(LinearDiscriminantAnalysis(), Xi[:, 2:3], yi, cv=kf3, method="predict_proba")
Z = np.column_stack([pa, pb])
logit = LogisticRegression(C=0.5, multi_class="multinomial", solver="lbfgs", tol=1e-12, max_iter=10000).fit(Z, yi)


# scipy's L-BFGS in sklearn stops on relative loss decrease (ftol ~ 2e-9), which on this flat,
# collinear problem leaves ~1e-5 in the parameters; polish the same objective with a tight BFGS
# from sklearn's solution so the fixture also holds the optimum to ~1e-8.
from scipy.optimize import minimize
from scipy.special import logsumexp

K, D = 3, Z.shape[1]
lam = 1 / 0.5


def penalised(theta):
    W = theta[: K * D].reshape(K, D)
    b = theta[K * D :]
    S = Z @ W.T + b
    lse = logsumexp(S, axis=1)
    P = np.exp(S - lse[:, None])
    P[np.arange(len(yi)), yi] -= 1
    loss = (lse - S[np.arange(len(yi)), yi]).sum() + 0.5 * lam * (W**2).sum()
    grad = np.concatenate([(P.T @ Z + lam * W).ravel(), P.sum(axis=0)])
    return loss, grad


theta0 = np.concatenate([logit.coef_.ravel(), logit.intercept_])
polished = minimize(penalised, theta0, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 10000})
Wp = polished.x[: K * D].reshape(K, D)
bp = polished.x[K * D :]
Sp = Z @ Wp.T + bp
proba_polished = np.exp(Sp - logsumexp(Sp, axis=1)[:, None])

out = {
    "versions": {"numpy": np.__version__, "sklearn": __import__("sklearn").__version__},
    "interp": {
        "xp": xp.tolist(),
        "fp": fp.tolist(),
        "x": x.tolist(),
        "expected": [v if ok else None for v, ok in zip(interp.tolist(), inside.tolist())],
        "hold": interp.tolist(),
    },
    "ridge": {
        "alpha": 10.0,
        "a": a.tolist(),
        "b": b.tolist(),
        "y": y.tolist(),
        "coef": ridge.coef_.tolist(),
        "intercept": float(ridge.intercept_),
    },
    "logistic": {
        "C": 0.5,
        "a": pa.tolist(),
        "b": pb.tolist(),
        "y": yi.tolist(),
        "coef": logit.coef_.tolist(),
        "intercept": (logit.intercept_ - logit.intercept_.mean()).tolist(),
        "proba": logit.predict_proba(Z).tolist(),
        "loss": float(penalised(theta0)[0]),
        "polished": {
            "coef": Wp.tolist(),
            "intercept": (bp - bp.mean()).tolist(),
            "proba": proba_polished.tolist(),
            "loss": float(polished.fun),
            "gradient": float(np.abs(polished.jac).max()),
        },
    },
}
print(json.dumps(out))
