# Regenerate: /usr/bin/python3 packages/data/scripts/scale-reference.py > packages/data/fixtures/scale.json
# (run from the repository root; Debian's system Python with scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2)
# Power-transform λ depend on the CPU at ~1e-5 relative: numpy 1.24 dispatches AVX-512 (SVML) log/pow
# where available; this fixture was written on an AVX-512 machine (see power.test.ts for the tolerances).
#
# Reference values for the scaling, power-transform and imputation steps of @omnifuse/data:
# every case fits on `train`, then transforms `train` (-> `fitOut`) and `test` (-> `testOut`).
# Missing values are written as null (JSON has no NaN). Data: sklearn's bundled datasets, sliced.
import json
import sys

import numpy as np
import sklearn
import scipy
from scipy import stats
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.preprocessing import MinMaxScaler, PowerTransformer, RobustScaler, StandardScaler

iris = load_iris()
wine = load_wine()
diabetes = load_diabetes()
cancer = load_breast_cancer()


def columns(data, names):
    index = [list(data.feature_names).index(name) for name in names]
    return data.data[:, index], list(names)


def table(x):
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(x, dtype=float)]


def case(name, step, options, names, train, test, estimator, extra=None):
    fit_out = estimator.fit(train).transform(train)
    test_out = estimator.transform(test)
    entry = {
        "name": name,
        "step": step,
        "options": options,
        "names": names,
        "train": table(train),
        "test": table(test),
        "fitOut": table(fit_out),
        "testOut": table(test_out),
    }
    if extra:
        entry.update(extra(estimator))
    return entry


def with_missing(x, rate, seed):
    """Deterministic missing values: each cell is NaN with probability `rate` (numpy's PCG64, seeded)."""
    rng = np.random.default_rng(seed)
    x = np.array(x, dtype=float)
    x[rng.random(x.shape) < rate] = np.nan
    return x


cases = []

# --- scalers ----------------------------------------------------------------------------------
wine_x, wine_names = columns(wine, wine.feature_names[:8])
cases.append(case("standard wine", "standard-scaler", {}, wine_names, wine_x[:100], wine_x[100:130], StandardScaler(),
                  lambda e: {"mean": e.mean_.tolist(), "scale": e.scale_.tolist()}))
cases.append(case("standard wine withMean=false", "standard-scaler", {"withMean": False}, wine_names,
                  wine_x[:100], wine_x[100:130], StandardScaler(with_mean=False)))
cases.append(case("standard wine withStd=false", "standard-scaler", {"withStd": False}, wine_names,
                  wine_x[:100], wine_x[100:130], StandardScaler(with_std=False)))
iris_x = iris.data
iris_const = np.column_stack([iris_x[:, :2], np.full(150, 3.3), 1e6 + 1e-10 * np.arange(150)])
cases.append(case("standard constant and near-constant columns", "standard-scaler", {},
                  ["sepal length", "sepal width", "constant", "near-constant"],
                  iris_const[:120], iris_const[120:], StandardScaler(),
                  lambda e: {"mean": e.mean_.tolist(), "scale": e.scale_.tolist()}))

dia_x = diabetes.data
dia_names = list(diabetes.feature_names)
dia6, dia6_names = dia_x[:, 2:8], dia_names[2:8]
cases.append(case("min-max diabetes", "min-max-scaler", {}, dia6_names, dia6[:120], dia6[300:330], MinMaxScaler()))
cases.append(case("min-max diabetes [-1, 2]", "min-max-scaler", {"featureRange": [-1, 2]}, dia6_names,
                  dia6[:60], dia6[100:120], MinMaxScaler(feature_range=(-1, 2))))
cases.append(case("min-max diabetes clip", "min-max-scaler", {"clip": True}, dia6_names,
                  dia6[:40], dia6[60:90], MinMaxScaler(clip=True)))
cases.append(case("min-max constant column", "min-max-scaler", {}, ["sepal length", "sepal width", "constant", "near-constant"],
                  iris_const[:120], iris_const[120:], MinMaxScaler()))

cancer_names6 = ["mean radius", "mean texture", "mean area", "mean smoothness", "area error", "worst area"]
cancer_x, _ = columns(cancer, cancer_names6)
cases.append(case("robust breast cancer", "robust-scaler", {}, cancer_names6, cancer_x[:101], cancer_x[201:231],
                  RobustScaler(), lambda e: {"center": e.center_.tolist(), "scale": e.scale_.tolist()}))
cases.append(case("robust breast cancer [10, 90]", "robust-scaler", {"quantileRange": [10, 90]}, cancer_names6,
                  cancer_x[:77], cancer_x[137:167], RobustScaler(quantile_range=(10, 90))))
cases.append(case("robust withCentering=false", "robust-scaler", {"withCentering": False}, cancer_names6,
                  cancer_x[:80], cancer_x[80:100], RobustScaler(with_centering=False)))
cases.append(case("robust withScaling=false", "robust-scaler", {"withScaling": False}, cancer_names6,
                  cancer_x[:80], cancer_x[80:100], RobustScaler(with_scaling=False)))
# A column whose interquartile range is zero (mostly zeros): its scale falls back to 1.
zero_iqr = np.column_stack([iris_x[:50, 0], np.r_[np.zeros(35), np.arange(15.0)]])
cases.append(case("robust zero IQR", "robust-scaler", {}, ["sepal length", "mostly zero"], zero_iqr[:40], zero_iqr[40:],
                  RobustScaler(), lambda e: {"center": e.center_.tolist(), "scale": e.scale_.tolist()}))

# --- power transforms -------------------------------------------------------------------------
lambdas = lambda e: {"lambdas": e.lambdas_.tolist()}  # noqa: E731
cases.append(case("box-cox breast cancer", "box-cox", {}, cancer_names6, cancer_x[:100], cancer_x[150:180],
                  PowerTransformer(method="box-cox"), lambdas))
cases.append(case("box-cox breast cancer standardize=false", "box-cox", {"standardize": False}, cancer_names6,
                  cancer_x[:100], cancer_x[150:180], PowerTransformer(method="box-cox", standardize=False), lambdas))
wine_pos_names = ["proline", "magnesium", "malic_acid", "color_intensity", "alcalinity_of_ash"]
wine_pos, _ = columns(wine, wine_pos_names)
cases.append(case("box-cox wine", "box-cox", {}, wine_pos_names, wine_pos[::3], wine_pos[1::6],
                  PowerTransformer(method="box-cox"), lambdas))
cases.append(case("box-cox wine standardize=false", "box-cox", {"standardize": False}, wine_pos_names,
                  wine_pos[::3], wine_pos[1::6], PowerTransformer(method="box-cox", standardize=False), lambdas))
dia_target = np.column_stack([dia_x, diabetes.target])
dia_target_names = dia_names + ["target"]
cases.append(case("yeo-johnson diabetes", "yeo-johnson", {}, dia_target_names, dia_target[:120], dia_target[300:320],
                  PowerTransformer(method="yeo-johnson"), lambdas))
cases.append(case("yeo-johnson diabetes standardize=false", "yeo-johnson", {"standardize": False}, dia_target_names,
                  dia_target[:120], dia_target[300:320], PowerTransformer(method="yeo-johnson", standardize=False), lambdas))
cases.append(case("yeo-johnson breast cancer", "yeo-johnson", {}, cancer_names6, cancer_x[:100], cancer_x[150:180],
                  PowerTransformer(method="yeo-johnson"), lambdas))
# Skewed columns with both signs: wine's skewed features, centred (proline's scale forces a λ far from 1).
wine_centred = wine_pos - np.median(wine_pos, axis=0)
cases.append(case("yeo-johnson wine centred", "yeo-johnson", {"standardize": False}, wine_pos_names,
                  wine_centred[::3], wine_centred[1::6], PowerTransformer(method="yeo-johnson", standardize=False),
                  lambdas))

# log / log1p: plain numpy.
logs = []
for base, fn in (("e", np.log), ("2", np.log2), ("10", np.log10)):
    x = cancer_x[:20]
    logs.append({"base": base, "offset": 0, "train": table(x), "out": table(fn(x))})
diabetes_offset = dia_x[:20] + 1
logs.append({"base": "e", "offset": 1, "train": table(dia_x[:20]), "out": table(np.log(diabetes_offset))})
log1p = {"train": table(dia_x[:20] * 6), "out": table(np.log1p(dia_x[:20] * 6))}

# --- imputation -------------------------------------------------------------------------------
wine_all = wine.data[:, :6]
wine_all_names = list(wine.feature_names[:6])
wine_missing = with_missing(wine_all, 0.15, seed=7)
for strategy, options, est in (
    ("mean", {"strategy": "mean"}, SimpleImputer(strategy="mean")),
    ("median", {"strategy": "median"}, SimpleImputer(strategy="median")),
    ("most_frequent", {"strategy": "most_frequent"}, SimpleImputer(strategy="most_frequent")),
    ("constant", {"strategy": "constant", "fillValue": -1}, SimpleImputer(strategy="constant", fill_value=-1)),
):
    cases.append(case(f"simple-imputer {strategy} wine", "simple-imputer", options, wine_all_names,
                      wine_missing[:100], wine_missing[120:150], est,
                      lambda e: {"statistics": e.statistics_.tolist()}))
# Ties in most_frequent (sklearn keeps the smallest tied value); even counts in median.
iris_missing = with_missing(iris_x, 0.2, seed=3)
cases.append(case("simple-imputer most_frequent iris ties", "simple-imputer", {"strategy": "most_frequent"},
                  list(iris.feature_names), iris_missing[:30], iris_missing[30:60],
                  SimpleImputer(strategy="most_frequent"), lambda e: {"statistics": e.statistics_.tolist()}))
cases.append(case("simple-imputer median iris", "simple-imputer", {"strategy": "median"},
                  list(iris.feature_names), iris_missing[:30], iris_missing[30:60],
                  SimpleImputer(strategy="median"), lambda e: {"statistics": e.statistics_.tolist()}))

# Missing indicator: missing only in columns 1, 3 and 4 of six.
partly = wine_all.copy()
mask = np.random.default_rng(11).random(partly.shape) < 0.2
mask[:, [0, 2, 5]] = False
partly[mask] = np.nan
for features in ("missing-only", "all"):
    est = MissingIndicator(features=features)
    ind_fit = est.fit(partly[:100]).transform(partly[:100]).astype(float)
    ind_test = est.transform(partly[100:140]).astype(float)
    cases.append({
        "name": f"missing-indicator {features}", "step": "missing-indicator",
        "options": {"features": features, "keepInputs": False}, "names": wine_all_names,
        "train": table(partly[:100]), "test": table(partly[100:140]),
        "fitOut": table(ind_fit), "testOut": table(ind_test), "features": est.features_.tolist(),
    })

# The pipeline [missing-indicator, simple-imputer, yeo-johnson, standard-scaler] in sklearn terms.
train, test = partly[:100], partly[100:140]
ind = MissingIndicator(features="missing-only").fit(train)
imp = SimpleImputer(strategy="median")
pt = PowerTransformer(method="yeo-johnson")
ss = StandardScaler()
stage = lambda x: np.hstack([x, ind.transform(x).astype(float)])  # noqa: E731
fit_out = ss.fit_transform(pt.fit_transform(imp.fit_transform(stage(train))))
test_out = ss.transform(pt.transform(imp.transform(stage(test))))
pipeline = {
    "names": wine_all_names,
    "specs": [
        {"type": "missing-indicator"},
        {"type": "simple-imputer", "options": {"strategy": "median"}},
        {"type": "yeo-johnson"},
        {"type": "standard-scaler"},
    ],
    "train": table(train), "test": table(test), "fitOut": table(fit_out), "testOut": table(test_out),
    "lambdas": pt.lambdas_.tolist(),
}

json.dump({
    "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "cases": cases, "logs": logs, "log1p": log1p, "pipeline": pipeline,
}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
