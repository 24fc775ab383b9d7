"""scikit-learn side of bench/text-tfidf.mjs: reads {"sentences": [...], "runs": n} on stdin and
prints, as JSON, the best of `runs` timed passes (after one untimed warm-up) of
- tokenize: TfidfVectorizer().build_analyzer() over every sentence;
- fit_transform: TfidfVectorizer().fit_transform(sentences);
- transform: the fitted vectorizer's transform(sentences);
with checksums (sum of the analyzer's term lengths; nnz and sum of the TF-IDF values)."""

import json
import sys
import time

import numpy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer


def best(runs, work):
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    request = json.load(sys.stdin)
    sentences = request["sentences"]
    runs = request["runs"]
    n = len(sentences)

    analyze = TfidfVectorizer().build_analyzer()
    tokenize_seconds = best(runs, lambda: [analyze(s) for s in sentences])
    token_chars = sum(len(t) for s in sentences for t in analyze(s))

    fit_seconds = best(runs, lambda: TfidfVectorizer().fit_transform(sentences))
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(sentences)
    transform_seconds = best(runs, lambda: vectorizer.transform(sentences))
    again = vectorizer.transform(sentences)

    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "numpy": numpy.__version__,
                "python": sys.version.split()[0],
                "tokenize": {"perSecond": n / tokenize_seconds, "checksum": token_chars},
                "fitTransform": {
                    "perSecond": n / fit_seconds,
                    "nnz": int(matrix.nnz),
                    "checksum": float(matrix.sum()),
                    "vocabulary": len(vectorizer.vocabulary_),
                },
                "transform": {"perSecond": n / transform_seconds, "nnz": int(again.nnz), "checksum": float(again.sum())},
            }
        )
    )


if __name__ == "__main__":
    main()
