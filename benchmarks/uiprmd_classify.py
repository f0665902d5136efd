"""UI-PRMD correct-vs-incorrect classification from 2D features, leave-one-subject-out with nested CV.

For each movement (m01 deep squat, m02 hurdle step, m03 inline lunge, m04 side lunge) every
repetition becomes a feature vector (:mod:`benchmarks.uiprmd_features`: a virtual frontal and side
camera, 101-sample curves, summary statistics).  The outer loop leaves one subject out; inside the
four training subjects a second leave-one-subject-out loop chooses the feature set, the number of
features (univariate selection) and the model with its regularisation (logistic regression, linear
SVM, random forest, gradient boosting) by balanced accuracy.  The chosen pipeline is refitted on the
four subjects and scored once on the fifth, whose labels and data are used for nothing else.

Needs scikit-learn (the ``dev`` extra); the kneeline library does not.

Run: ``.venv/bin/python benchmarks/uiprmd_classify.py [--with-tempo] [--movements m01 m04]``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.base import BaseEstimator, TransformerMixin  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_selection import SelectKBest, f_classif  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import GridSearchCV, LeaveOneGroupOut  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from benchmarks._common import data_root, print_table, verdict  # noqa: E402
from benchmarks.uiprmd_data import NO_REPETITION, read_uiprmd, uiprmd_files  # noqa: E402
from benchmarks.uiprmd_features import rep_features  # noqa: E402

MOVEMENTS: dict[str, tuple[str, str]] = {
    "m01": ("deep squat", "right"), "m02": ("hurdle step", "ankle_travel"),
    "m03": ("inline lunge", "ankle_travel"), "m04": ("side lunge", "leg_shortening"),
}
"""UI-PRMD movement -> (name, rule naming its active leg; see ``uiprmd_features.active_side``)."""

SEED = 0
TARGET = 0.9
FAMILIES = ("logistic", "linear SVM", "random forest", "boosting")


@dataclass(frozen=True)
class Dataset:
    """Feature matrix of one movement: ``x`` (reps, features), ``y`` (1 = incorrect), ``subject``."""

    x: np.ndarray
    y: np.ndarray
    subject: np.ndarray
    names: tuple[str, ...]


def load_movement(root: Path, movement: str, with_tempo: bool = False) -> Dataset:
    """Features of every repetition of ``movement`` (``tempo:*`` left out unless ``with_tempo``).

    Files of :data:`~benchmarks.uiprmd_data.NO_REPETITION` (no repetition in them) are left out.
    """
    rule = MOVEMENTS[movement][1]
    rows, ys, subjects = [], [], []
    for correct in (True, False):
        for subject, files in uiprmd_files(root, movement, correct).items():
            for path in files:
                if path.name in NO_REPETITION:  # no repetition in the file: not an example of either class
                    continue
                rows.append(rep_features(read_uiprmd(path), rule))
                ys.append(0 if correct else 1)
                subjects.append(subject)
    if not rows:
        raise FileNotFoundError(f"no UI-PRMD repetitions of {movement} under {root / 'ui-prmd'}")
    names = tuple(k for k in rows[0] if with_tempo or not k.startswith("tempo:"))
    x = np.array([[r[k] for k in names] for r in rows])
    return Dataset(x=x, y=np.array(ys), subject=np.array(subjects), names=names)


class FeatureSet(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Keep the columns of one feature set: ``"summary"`` (statistics only) or ``"all"`` (+ curve samples)."""

    def __init__(self, names: tuple[str, ...] = (), keep: str = "summary") -> None:
        self.names = names
        self.keep = keep

    def mask(self) -> np.ndarray:
        """Boolean mask of the kept columns."""
        if self.keep not in ("summary", "all"):
            raise ValueError(f"feature set must be 'summary' or 'all'; got {self.keep!r}")
        return np.array([self.keep == "all" or ":c" not in n for n in self.names])

    def fit(self, x: np.ndarray, y: np.ndarray | None = None) -> FeatureSet:
        """Nothing to learn."""
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        """The kept columns of ``x``."""
        out: np.ndarray = np.asarray(x)[:, self.mask()]
        return out


def pipeline(names: tuple[str, ...]) -> Pipeline:
    """Features -> median imputation -> standardisation -> k best (ANOVA F) -> classifier."""
    return Pipeline([("features", FeatureSet(names)), ("impute", SimpleImputer(strategy="median")),
                     ("scale", StandardScaler()), ("select", SelectKBest(f_classif)),
                     ("clf", LogisticRegression())])


def search_space() -> list[dict[str, list[Any]]]:
    """The configurations the inner loop chooses from (one dict per model family)."""
    common: dict[str, list[Any]] = {"features__keep": ["summary", "all"], "select__k": [20, "all"]}
    return [
        {**common, "clf": [LogisticRegression(class_weight="balanced", max_iter=5000)],
         "clf__C": [0.01, 0.1, 1.0]},
        {**common, "clf": [LinearSVC(class_weight="balanced", max_iter=20000)], "clf__C": [0.001, 0.01, 0.1]},
        {**common, "clf": [RandomForestClassifier(n_estimators=200, class_weight="balanced", random_state=SEED,
                                                  n_jobs=1)],
         "clf__min_samples_leaf": [1, 3]},
        {**common, "clf": [GradientBoostingClassifier(n_estimators=100, max_depth=2, subsample=0.8,
                                                      random_state=SEED)]},
    ]


def family(params: dict[str, Any]) -> str:
    """Model family of a configuration."""
    clf = params["clf"]
    return {LogisticRegression: "logistic", LinearSVC: "linear SVM", RandomForestClassifier: "random forest",
            GradientBoostingClassifier: "boosting"}[type(clf)]


def describe(params: dict[str, Any]) -> str:
    """Short label of a configuration, e.g. ``logistic C=0.1 summary k=20``."""
    extra = " ".join(f"{k.split('__')[1]}={v}" for k, v in params.items() if k.startswith("clf__"))
    return f"{family(params)} {extra} {params['features__keep']} k={params['select__k']}".replace("  ", " ")


def importances(model: Pipeline, names: tuple[str, ...]) -> dict[str, float]:
    """Feature -> share of the fitted model's weight (|coefficient| or impurity importance), summing to 1."""
    kept = np.array(names)[model.named_steps["features"].mask()]
    kept = kept[model.named_steps["select"].get_support()]
    clf = model.named_steps["clf"]
    weight = np.abs(np.ravel(clf.coef_)) if hasattr(clf, "coef_") else clf.feature_importances_
    total = float(weight.sum()) or 1.0
    return {str(n): float(w) / total for n, w in zip(kept, weight, strict=True)}


@dataclass
class FoldResult:
    """One outer fold: the test subject, its balanced accuracy per family and for the chosen model."""

    subject: str
    chosen: str
    chosen_ba: float
    inner_ba: float
    family_ba: dict[str, float]
    weights: dict[str, float]


def _fit(names: tuple[str, ...], params: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Pipeline:
    model = pipeline(names).set_params(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # constant features in f_classif
        warnings.simplefilter("ignore", UserWarning)
        model.fit(x, y)
    return model


def outer_fold(data: Dataset, test: str) -> tuple[FoldResult, dict[str, np.ndarray]]:
    """Choose a configuration on the other subjects (inner LOSO), refit there, score on ``test``.

    Returns the fold's result and the test predictions of the chosen model and of each family's best.
    """
    train = data.subject != test
    search = GridSearchCV(pipeline(data.names), search_space(), scoring="balanced_accuracy",
                          cv=LeaveOneGroupOut(), refit=False, n_jobs=1, error_score="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        search.fit(data.x[train], data.y[train], groups=data.subject[train])
    res = search.cv_results_
    scores = np.asarray(res["mean_test_score"])
    best = int(np.argmax(scores))  # first of equals: simplest family/most regularised listed first
    preds: dict[str, np.ndarray] = {}
    family_ba: dict[str, float] = {}
    weights: dict[str, float] = {}
    for fam in FAMILIES:
        idx = [i for i, p in enumerate(res["params"]) if family(p) == fam]
        i = idx[int(np.argmax(scores[idx]))]
        model = _fit(data.names, res["params"][i], data.x[train], data.y[train])
        preds[fam] = model.predict(data.x[~train])
        family_ba[fam] = float(balanced_accuracy_score(data.y[~train], preds[fam]))
        if i == best:
            preds["chosen"] = preds[fam]
            weights = importances(model, data.names)
    chosen_ba = float(balanced_accuracy_score(data.y[~train], preds["chosen"]))
    return FoldResult(test, describe(res["params"][best]), chosen_ba, float(scores[best]), family_ba, weights), preds


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    """Mean of the recall of each class."""
    return float(np.mean([np.mean(pred[y == c] == c) for c in (0, 1)]))


def fit_stump(x: np.ndarray, y: np.ndarray) -> tuple[int, float, int]:
    """Best single feature, threshold and direction by balanced accuracy on the training data."""
    best = (-1.0, 0, 0.0, 1)
    for j in range(x.shape[1]):
        col = x[:, j]
        values = np.unique(col[np.isfinite(col)])
        for thr in (values[:-1] + values[1:]) / 2:
            pred = (col > thr).astype(int)
            for sign, p in ((1, pred), (-1, 1 - pred)):
                ba = balanced_accuracy(y, p)
                if ba > best[0]:
                    best = (ba, j, float(thr), sign)
    return best[1], best[2], best[3]


@dataclass
class MovementResult:
    """Balanced accuracies of one movement over all outer folds."""

    movement: str
    n_correct: int
    n_incorrect: int
    stump_ba: float
    stumps: list[str]
    chosen_ba: float
    family_ba: dict[str, float]
    folds: list[FoldResult]
    top: list[tuple[str, float, float, float]]
    """(feature, mean weight share over folds, mean correct, mean incorrect), largest first."""


def evaluate(data: Dataset, movement: str, n_top: int = 8) -> MovementResult:
    """Nested leave-one-subject-out evaluation of one movement."""
    pred = {k: np.zeros_like(data.y) for k in ("chosen", "stump", *FAMILIES)}
    folds, stumps = [], []
    summary = np.array([":c" not in n for n in data.names])
    for test in sorted(set(data.subject.tolist())):
        train = data.subject != test
        fold, fold_pred = outer_fold(data, test)
        folds.append(fold)
        for k, v in fold_pred.items():
            pred[k][~train] = v
        xs = data.x[:, summary]
        j, thr, sign = fit_stump(xs[train], data.y[train])
        stumps.append(f"{test}:{np.array(data.names)[summary][j]}{'>' if sign > 0 else '<'}{thr:.2f}")
        pred["stump"][~train] = (sign * (xs[~train, j] - thr) > 0).astype(int)
    share: dict[str, float] = {}
    for f in folds:
        for k, w in f.weights.items():
            share[k] = share.get(k, 0.0) + w / len(folds)
    top = []
    for k, w in sorted(share.items(), key=lambda kv: -kv[1])[:n_top]:
        col = data.x[:, data.names.index(k)]
        top.append((k, w, float(np.nanmean(col[data.y == 0])), float(np.nanmean(col[data.y == 1]))))
    return MovementResult(movement, int((data.y == 0).sum()), int((data.y == 1).sum()),
                          balanced_accuracy(data.y, pred["stump"]), stumps,
                          balanced_accuracy(data.y, pred["chosen"]),
                          {f: balanced_accuracy(data.y, pred[f]) for f in FAMILIES}, folds, top)


def print_results(results: list[MovementResult]) -> None:
    """The summary table, then per-fold choices and the features that mattered."""
    rows = [[f"{r.movement} {MOVEMENTS[r.movement][0]}", f"{r.n_correct}/{r.n_incorrect}", f"{r.stump_ba:.3f}",
             *(f"{r.family_ba[f]:.3f}" for f in FAMILIES), f"{r.chosen_ba:.3f}", verdict(r.chosen_ba >= TARGET),
             " ".join(f"{f.subject}:{f.chosen_ba:.2f}" for f in r.folds)] for r in results]
    print_table("UI-PRMD correct vs incorrect, leave-one-subject-out (balanced accuracy; nested CV chooses the "
                "model inside the training subjects)",
                ["movement", "correct/incorrect", "threshold", *FAMILIES, "nested choice", f"target {TARGET}",
                 "per test subject (nested choice)"], rows)
    for r in results:
        print(f"\n{r.movement} {MOVEMENTS[r.movement][0]}: per outer fold (test subject: inner BA -> chosen model "
              f"-> test BA; each family's inner-best on the test subject)")
        for f in r.folds:
            fams = ", ".join(f"{k} {v:.2f}" for k, v in f.family_ba.items())
            print(f"  {f.subject}: inner {f.inner_ba:.2f} -> {f.chosen} -> {f.chosen_ba:.2f}   ({fams})")
        print(f"  one-feature threshold per fold: {' '.join(r.stumps)}")
        print("  features that mattered (mean share of the chosen models' weight; mean correct / incorrect):")
        for k, w, a, b in r.top:
            print(f"    {k:34s} {w:5.3f}   {a:8.3f} / {b:8.3f}")


def classification_checks(root: Path, movements: list[str] | None = None, with_tempo: bool = False) -> list[bool]:
    """Run and print the evaluation; return pass/fail (nested-choice BA >= 0.9) per movement."""
    results = [evaluate(load_movement(root, mv, with_tempo), mv) for mv in (movements or list(MOVEMENTS))]
    print_results(results)
    return [r.chosen_ba >= TARGET for r in results]


def main(argv: list[str] | None = None) -> int:
    """Evaluate; exit 1 when a movement misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", nargs="+", choices=sorted(MOVEMENTS), help="default: all four")
    parser.add_argument("--with-tempo", action="store_true",
                        help="also give the classifiers the repetition's duration (speed, not form)")
    args = parser.parse_args(argv)
    oks = classification_checks(data_root(), args.movements, args.with_tempo)
    print(f"movements at balanced accuracy >= {TARGET}: {sum(oks)}/{len(oks)}")
    return 0 if all(oks) else 1


if __name__ == "__main__":
    sys.exit(main())
