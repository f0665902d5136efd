"""UI-PRMD correct vs incorrect against each person's own reference repetitions (leave-one-subject-out).

``uiprmd_classify.py`` asks a population model to judge a stranger; it misses the 0.9 target
because people differ more from each other than from their own mistakes.  Here every subject
first gives a *reference*: their first ``--reference`` correct repetition files (e01, e02, e03 --
chosen by file order, never by how they score), the repetitions a physiotherapist would record
and accept in clinic.  Reference files are never scored.  Each other repetition is described by
the same 2D features as ``uiprmd_classify.py`` (virtual frontal and side camera; summary
statistics), taken relative to the median of its subject's reference.

Models (:mod:`kneeline.coach.reference` for the first):

``deviation q``
    One-class: the ``q`` quantile of ``|feature - reference| / scale`` over all features, with
    ``scale`` the RMS deviation of the training subjects' good repetitions from their own
    references; threshold = the one with the best balanced accuracy on the training subjects.
    No incorrect repetition of the test subject's kind is needed.
``logistic C`` / ``forest``
    Supervised on the reference-relative features.

The outer loop leaves one subject out; inside the training subjects a second leave-one-subject-out
loop chooses the model by balanced accuracy; the choice is refitted on the training subjects and
scored once on the held-out subject (its reference is the only data of it used before scoring).

Run: ``.venv/bin/python benchmarks/uiprmd_reference.py [--reference 3] [--movements m01 m04]``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from benchmarks._common import data_root, print_table, verdict  # noqa: E402
from benchmarks.uiprmd_classify import MOVEMENTS, SEED, TARGET, Dataset, balanced_accuracy, load_movement  # noqa: E402
from kneeline.coach.reference import Reference, build_reference, deviation_scores, pooled_scale  # noqa: E402

N_REFERENCE = 3
"""Reference repetitions per subject (the first correct files)."""


@dataclass(frozen=True)
class Split:
    """One movement's data relative to each subject's reference: ``x`` rows, reference mask."""

    data: Dataset
    x: np.ndarray
    """Summary features minus the subject's reference median."""
    raw: np.ndarray
    """Summary features as measured."""
    names: tuple[str, ...]
    is_reference: np.ndarray
    references: dict[str, Reference]


def _rows(x: np.ndarray, names: tuple[str, ...]) -> list[dict[str, float | None]]:
    return [{n: (float(v) if np.isfinite(v) else None) for n, v in zip(names, row, strict=True)} for row in x]


def split(data: Dataset, n_reference: int) -> Split:
    """Mark each subject's first ``n_reference`` correct repetitions as its reference; centre on it."""
    cols = np.array([":c" not in n and not n.startswith("tempo:") for n in data.names])
    names = tuple(np.array(data.names)[cols])
    raw = data.x[:, cols]
    is_ref = np.zeros(len(data.y), dtype=bool)
    refs: dict[str, Reference] = {}
    x = raw.copy()
    for subject in sorted(set(data.subject.tolist())):
        correct = np.flatnonzero((data.subject == subject) & (data.y == 0))
        if correct.size < n_reference + 1:
            raise ValueError(f"{subject} has {correct.size} correct repetitions; need more than {n_reference}")
        ref_rows = correct[:n_reference]
        is_ref[ref_rows] = True
        refs[subject] = build_reference(_rows(raw[ref_rows], names), names)
        x[data.subject == subject] -= refs[subject].median
    return Split(data, x, raw, names, is_ref, refs)


Predictor = Callable[[np.ndarray], np.ndarray]
"""Row indices of the held-out subject(s) -> predicted labels (1 = incorrect)."""


def _scored(s: Split, subjects: list[str]) -> np.ndarray:
    return np.isin(s.data.subject, subjects) & ~s.is_reference


def train_scale(s: Split, train: list[str]) -> np.ndarray:
    """Usual rep-to-rep variation of each feature: the ``train`` subjects' scored correct reps vs their reference."""
    groups = []
    for subject in train:
        good = np.flatnonzero((s.data.subject == subject) & (s.data.y == 0) & ~s.is_reference)
        groups.append((s.references[subject], _rows(s.raw[good], s.names)))
    return pooled_scale(groups)


def fit_deviation(s: Split, train: list[str], quantile: float) -> Predictor:
    """One-class deviation score; scale and threshold from the ``train`` subjects."""
    scale = train_scale(s, train)

    def scores(rows: np.ndarray) -> np.ndarray:
        out = np.full(rows.size, np.nan)
        for subject in sorted(set(s.data.subject[rows].tolist())):
            mine = s.data.subject[rows] == subject
            out[mine] = deviation_scores(_rows(s.raw[rows[mine]], s.names), s.references[subject], scale, quantile)
        return out

    tr = np.flatnonzero(_scored(s, train))
    sc, y = scores(tr), s.data.y[tr]
    candidates = np.unique(sc[np.isfinite(sc)])
    threshold = max(candidates, key=lambda t: balanced_accuracy(y, (sc > t).astype(int)))
    return lambda rows: (scores(rows) > threshold).astype(int)


def fit_supervised(s: Split, train: list[str], make: Callable[[], object]) -> Predictor:
    """A scikit-learn classifier on the reference-relative features of the ``train`` subjects."""
    tr = np.flatnonzero(_scored(s, train))
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), make())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(s.x[tr], s.data.y[tr])
    return lambda rows: np.asarray(model.predict(s.x[rows]))


CONFIGS: dict[str, Callable[[Split, list[str]], Predictor]] = {
    "deviation q=0.5": lambda s, tr: fit_deviation(s, tr, 0.5),
    "deviation q=0.8": lambda s, tr: fit_deviation(s, tr, 0.8),
    "logistic C=0.01": lambda s, tr: fit_supervised(
        s, tr, lambda: LogisticRegression(C=0.01, class_weight="balanced", max_iter=5000)),
    "logistic C=0.1": lambda s, tr: fit_supervised(
        s, tr, lambda: LogisticRegression(C=0.1, class_weight="balanced", max_iter=5000)),
    "forest": lambda s, tr: fit_supervised(
        s, tr, lambda: RandomForestClassifier(n_estimators=200, class_weight="balanced", random_state=SEED,
                                              n_jobs=1)),
}
"""The models the inner loop chooses from, simplest first (first of equal scores wins)."""


def _curve_votes(z: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Per row, the largest ``z`` of each curve (``curve:statistic`` names): one value per curve."""
    curves = sorted({n.split(":")[0] for n in names})
    cols = [[i for i, n in enumerate(names) if n.split(":")[0] == c] for c in curves]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.stack([np.nanmax(z[:, c], axis=1) for c in cols], axis=1)


def _fixed_score(s: Split, rows: np.ndarray, subject: str, scale: np.ndarray, by_curve: bool,
                 self_calibrated: bool, quantile: float) -> np.ndarray:
    """One-class score of ``rows`` (all of ``subject``) for :func:`fixed_variants`."""
    usable = np.isfinite(scale) & (scale > 0)  # as deviation_scores: no usual variation, no vote

    def score(x: np.ndarray, median: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            z = np.where(usable, np.abs(x - median) / np.where(usable, scale, 1.0), np.nan)
            if by_curve:
                z = _curve_votes(z, s.names)
            out: np.ndarray = np.nanquantile(z, quantile, axis=1)
        return out

    out = score(s.raw[rows], s.references[subject].median)
    if self_calibrated:  # divide by how far each reference rep lies from the others' median
        ref_rows = np.flatnonzero((s.data.subject == subject) & s.is_reference)
        loo = [score(s.raw[[r]], np.nanmedian(s.raw[ref_rows[ref_rows != r]], axis=0))[0] for r in ref_rows]
        out = out / float(np.median(loo))
    return out


VARIANTS = [(by_curve, self_cal, q) for by_curve in (False, True) for self_cal in (False, True) for q in (0.5, 0.8)]
"""(one vote per curve, self-calibrated, quantile): the fixed one-class scores of :func:`fixed_variants`."""


def fixed_variants(s: Split) -> list[tuple[str, float, list[float]]]:
    """Leave-one-subject-out balanced accuracy of each fixed one-class score (no model choice).

    Two variations of the deviation score, written down before they were run and reported
    whatever they gave: *one vote per curve* (the largest deviation of each curve's statistics,
    so a curve with many statistics does not outvote the others) and *self-calibrated* (the score
    divided by how far the subject's own reference reps lie from each other, for people who vary
    more than others).  The threshold comes from the training subjects, as in :func:`fit_deviation`.
    """
    subjects = sorted(set(s.data.subject.tolist()))
    out = []
    for by_curve, self_cal, q in VARIANTS:
        ys, preds, per = [], [], []
        for test in subjects:
            train = [t for t in subjects if t != test]
            scale = train_scale(s, train)
            sc_tr, y_tr = [], []
            for subject in train:
                rows = np.flatnonzero(_scored(s, [subject]))
                sc_tr.append(_fixed_score(s, rows, subject, scale, by_curve, self_cal, q))
                y_tr.append(s.data.y[rows])
            sc, y = np.concatenate(sc_tr), np.concatenate(y_tr)
            threshold = max(np.unique(sc[np.isfinite(sc)]),
                            key=lambda t: balanced_accuracy(y, (sc > t).astype(int)))
            rows = np.flatnonzero(_scored(s, [test]))
            pred = (_fixed_score(s, rows, test, scale, by_curve, self_cal, q) > threshold).astype(int)
            ys.append(s.data.y[rows])
            preds.append(pred)
            per.append(balanced_accuracy(s.data.y[rows], pred))
        name = f"{'per curve' if by_curve else 'all features'}, {'self-calibrated' if self_cal else 'plain'}, q={q}"
        out.append((name, balanced_accuracy(np.concatenate(ys), np.concatenate(preds)), per))
    return out


def loso_ba(s: Split, subjects: list[str], config: str) -> float:
    """Balanced accuracy of ``config`` over ``subjects`` by leave-one-subject-out (pooled predictions)."""
    ys, preds = [], []
    for test in subjects:
        rows = np.flatnonzero(_scored(s, [test]))
        predict = CONFIGS[config](s, [t for t in subjects if t != test])
        ys.append(s.data.y[rows])
        preds.append(predict(rows))
    return balanced_accuracy(np.concatenate(ys), np.concatenate(preds))


@dataclass
class Fold:
    """One held-out subject: the configuration chosen inside the others, and its test score."""

    subject: str
    chosen: str
    inner_ba: float
    test_ba: float
    y: np.ndarray
    pred: np.ndarray
    config_ba: dict[str, float]


def evaluate(s: Split) -> list[Fold]:
    """Nested leave-one-subject-out over all subjects of ``s``."""
    subjects = sorted(set(s.data.subject.tolist()))
    folds = []
    for test in subjects:
        train = [t for t in subjects if t != test]
        inner = {c: loso_ba(s, train, c) for c in CONFIGS}
        chosen = max(CONFIGS, key=lambda c: inner[c])
        rows = np.flatnonzero(_scored(s, [test]))
        y = s.data.y[rows]
        per_config = {c: CONFIGS[c](s, train)(rows) for c in CONFIGS}
        folds.append(Fold(test, chosen, inner[chosen], balanced_accuracy(y, per_config[chosen]), y,
                          per_config[chosen], {c: balanced_accuracy(y, p) for c, p in per_config.items()}))
    return folds


def run(root: Path, movements: list[str], n_reference: int) -> list[bool]:
    """Evaluate and print each movement; return pass/fail (nested choice >= target) per movement."""
    rows, oks, details = [], [], []
    for mv in movements:
        s = split(load_movement(root, mv), n_reference)
        folds = evaluate(s)
        y = np.concatenate([f.y for f in folds])
        ba = balanced_accuracy(y, np.concatenate([f.pred for f in folds]))
        oks.append(ba >= TARGET)
        n_scored = int((~s.is_reference).sum())
        rows.append([f"{mv} {MOVEMENTS[mv][0]}", f"{int((y == 0).sum())}/{int((y == 1).sum())}", str(n_scored),
                     f"{ba:.3f}", verdict(ba >= TARGET), " ".join(f"{f.subject}:{f.test_ba:.2f}" for f in folds)])
        details.append((mv, s, folds))
    print_table(f"UI-PRMD correct vs incorrect relative to each subject's first {n_reference} correct repetitions "
                "(balanced accuracy, leave-one-subject-out; nested CV chooses the model)",
                ["movement", "scored correct/incorrect", "scored", "nested choice", f"target {TARGET}",
                 "per test subject"], rows)
    variant_rows = []
    for mv, s, _ in details:
        for name, ba, per in fixed_variants(s):
            variant_rows.append([mv, name, f"{ba:.3f}", " ".join(f"{p:.2f}" for p in per)])
    print_table("Fixed one-class scores, no model choice (leave-one-subject-out; threshold from the training subjects)",
                ["movement", "score", "balanced accuracy", "per test subject"], variant_rows)
    for mv, _, folds in details:
        print(f"\n{mv} {MOVEMENTS[mv][0]}: test subject: inner BA -> chosen -> test BA   (every model on it)")
        for f in folds:
            every = ", ".join(f"{c} {v:.2f}" for c, v in f.config_ba.items())
            print(f"  {f.subject}: inner {f.inner_ba:.2f} -> {f.chosen} -> {f.test_ba:.2f}   ({every})")
    return oks


def main(argv: list[str] | None = None) -> int:
    """Evaluate; exit 1 when a movement misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", nargs="+", choices=sorted(MOVEMENTS), default=sorted(MOVEMENTS))
    parser.add_argument("--reference", type=int, default=N_REFERENCE,
                        help=f"reference repetitions per subject (default {N_REFERENCE})")
    args = parser.parse_args(argv)
    if args.reference < 2:
        parser.error("--reference needs at least 2 repetitions")
    oks = run(data_root(), args.movements, args.reference)
    print(f"movements at balanced accuracy >= {TARGET}: {sum(oks)}/{len(oks)}")
    return 0 if all(oks) else 1


if __name__ == "__main__":
    sys.exit(main())
