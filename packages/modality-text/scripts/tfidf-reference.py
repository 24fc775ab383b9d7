"""Writes scikit-learn TfidfVectorizer reference fixtures for @omnifuse/modality-text's TF-IDF.

Reads the real sentences of ../shared/data/sentiment (three TSV files, `sentence<TAB>score`, a
header line each, CRLF endings; imdb keeps its trailing spaces and a few C1 controls such as NEL,
so lines are split on "\\n" only, never with str.splitlines), appends the hand-written Unicode
sentences below, fits TfidfVectorizer under several option sets and writes
test/fixtures/tfidf-*.json: the vocabulary, the idf and the sparse rows of a sample of documents.

Run with Debian's Python, which has python3-sklearn (`apt-get install python3-sklearn`):

    /usr/bin/python3 packages/modality-text/scripts/tfidf-reference.py
"""

import hashlib
import json
import os
import sys

import numpy
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(PACKAGE, "../../../shared/data/sentiment"))
FIXTURES = os.path.join(PACKAGE, "test/fixtures")
FILES = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"]

# Sentences that exercise what Python's (?u)\b\w\w+\b and str.lower do beyond ASCII.
EXTRA = [
    "这部电影非常好看，我很喜欢！演员的表演也很出色。",
    "日本語のテキストです。カタカナー、ひらがな。",
    "Café crème brûlée à l'Élysée était délicieux — naïve façade, œuvre ÆSIR.",
    "Decomposed: Cafe\u0301 nai\u0308ve re\u0301sume\u0301 (combining marks break words).",
    "I love this 😍😍 so much!!! 👍🏽 best pizza🍕ever #yum @chef",
    "Москва большая; ΟΔΟΣ ΣΟΦΟΣ Ελληνικά; İstanbul'da KIRMIZI; STRAẞE straße ǅemal ǈubljana.",
    "Route 66, x² + y², ½ cup, ①② circled, Ⅻ roman, ٣٤٥ arabic, ໑໒ lao digits.",
    "𝐁𝐨𝐥𝐝 math 𝐀 single, 𠀀𠀁 ext-B pair, 𠀀 alone, 𝟘𝟙 digits.",
    "snake_case __init__ _ a_ _b x_y_z __",
    "नमस्ते दुनिया, हिन्दी पाठ; สวัสดีครับ ภาษาไทย; مرحبا بالعالم",
    "tab\tseparated\u3000ideographic\u00a0nbsp  double\u2003em zero\u200bwidth bom\ufeffmark fs\x1cgs\x1drs\x1e.",
    "a I . ! ?",
]

# Documents the fitted vectorizers transform without having seen them.
HELD_OUT = [
    "This is a brand new unseen sentence about zzzyx movies and great food.",
    "",
    "😀",
    "GREAT great Great service, the the THE.",
]

# (name, TfidfVectorizer params, the same as omnifuse tfidfOptions, fixture layout). Layout keys:
# "sameVocabularyAs" leaves out a vocabulary and idf equal to another set's; "hashVocabulary" stores
# the vocabulary's SHA-256 instead of its terms; "rowsEvery" keeps every n-th sampled row.
OPTION_SETS = [
    ("default", {}, {}, {}),
    (
        "bigrams-min-df2",
        {"ngram_range": (1, 2), "min_df": 2},
        {"ngramRange": [1, 2], "minDf": 2},
        {},
    ),
    (
        "sublinear-l1",
        {"sublinear_tf": True, "norm": "l1"},
        {"sublinearTf": True, "norm": "l1"},
        {"sameVocabularyAs": "default"},
    ),
    (
        "max-features-stop-words",
        {"max_features": 500, "stop_words": "english"},
        {"maxFeatures": 500, "stopWords": "english"},
        {},
    ),
    (
        "char-wb-2-4",
        {"analyzer": "char_wb", "ngram_range": (2, 4)},
        {"analyzer": "char_wb", "ngramRange": [2, 4]},
        {"hashVocabulary": True, "rowsEvery": 4},
    ),
    (
        "char-binary-raw-idf",
        {
            "analyzer": "char",
            "ngram_range": (1, 2),
            "binary": True,
            "smooth_idf": False,
            "max_df": 0.5,
            "norm": None,
        },
        {
            "analyzer": "char",
            "ngramRange": [1, 2],
            "binary": True,
            "smoothIdf": False,
            "maxDf": 0.5,
            "norm": None,
        },
        {"rowsEvery": 2},
    ),
]


def read_sentences():
    sentences = []
    for name in FILES:
        with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        assert lines[0].rstrip("\r") == "sentence\tscore", name
        for line in lines[1:]:
            line = line[:-1] if line.endswith("\r") else line
            if line == "":
                continue
            sentences.append(line.rsplit("\t", 1)[0])
    return sentences


def sparse_row(matrix, i):
    row = matrix.getrow(i)
    order = numpy.argsort(row.indices)
    return {
        "indices": [int(j) for j in row.indices[order]],
        # float32 is what omnifuse returns; nine significant digits are exact for it.
        "values": [float("%.9g" % v) for v in row.data[order]],
    }


def main():
    corpus_sentences = read_sentences()
    documents = corpus_sentences + EXTRA
    joined = "\n".join(corpus_sentences).encode("utf-8")
    os.makedirs(FIXTURES, exist_ok=True)
    sample = sorted(set(range(0, len(corpus_sentences), 60)) | set(range(len(corpus_sentences), len(documents))))
    corpus = {
        "sklearn": sklearn.__version__,
        "numpy": numpy.__version__,
        "python": sys.version.split()[0],
        "files": FILES,
        "sentences": len(corpus_sentences),
        "sha256": hashlib.sha256(joined).hexdigest(),
        "extra": EXTRA,
        "heldOut": HELD_OUT,
        "sample": sample,
    }
    write("tfidf-corpus.json", corpus)
    for name, params, options, layout in OPTION_SETS:
        vectorizer = TfidfVectorizer(**params)
        matrix = vectorizer.fit_transform(documents).tocsr()
        held = vectorizer.transform(HELD_OUT).tocsr()
        # One string: terms never hold "\n" (the documents have none).
        vocabulary = "\n".join(vectorizer.get_feature_names_out().tolist())
        fixture = {
            "name": name,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            "options": options,
            "vocabularySize": len(vectorizer.vocabulary_),
        }
        if "sameVocabularyAs" in layout:
            fixture["sameVocabularyAs"] = layout["sameVocabularyAs"]
        else:
            if layout.get("hashVocabulary"):
                fixture["vocabularySha256"] = hashlib.sha256(vocabulary.encode("utf-8")).hexdigest()
            else:
                fixture["vocabulary"] = vocabulary
            fixture.update(encode_idf(vectorizer.idf_))
        rows = sample[:: layout.get("rowsEvery", 1)]
        fixture["rows"] = [dict(doc=i, **sparse_row(matrix, i)) for i in rows]
        fixture["heldOutRows"] = [sparse_row(held, i) for i in range(len(HELD_OUT))]
        write("tfidf-%s.json" % name, fixture)


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_idf(idf):
    """idf depends on the document frequency alone, so few values are distinct: those values, and
    each term's index among them as two base-36 digits."""
    distinct = sorted(set(float(v) for v in idf))
    assert len(distinct) <= 36 * 36
    where = {v: i for i, v in enumerate(distinct)}
    ranks = "".join(DIGITS[where[float(v)] // 36] + DIGITS[where[float(v)] % 36] for v in idf)
    return {"idfDistinct": distinct, "idfIndex": ranks}


def write(name, value):
    path = os.path.join(FIXTURES, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print("%s: %d bytes" % (name, os.path.getsize(path)))


if __name__ == "__main__":
    main()
