"""Before/after comparison: changes against the SDD, refusals with their reasons, matched reps."""

from __future__ import annotations

from kneeline.report.compare import NOT_MEASURED, compare
from kneeline.report.result import Rep
from kneeline.report.source import from_result
from tests.assess.builders import make_result, metric


def _pair(before: dict, after: dict, **kw: object):  # type: ignore[no-untyped-def]
    first = from_result(make_result(left=before), label="first", **kw)  # type: ignore[arg-type]
    second = from_result(make_result(left=after), label="second", **kw)  # type: ignore[arg-type]
    return compare(first, second)


def test_a_change_beyond_the_sdd_is_a_change_and_one_within_is_not() -> None:
    c = _pair({"fppa_deg": metric(18.0, sdd=8.0), "pelvic_drop_deg": metric(4.0, sdd=2.8)},
              {"fppa_deg": metric(9.0, sdd=8.0), "pelvic_drop_deg": metric(2.0, sdd=2.8)})
    assert c.comparable
    by = {m.metric: m for m in c.metrics}
    assert by["fppa_deg"].verdict == "changed" and by["fppa_deg"].change == -9.0
    assert "more than the smallest detectable difference of 8°" in by["fppa_deg"].text
    assert by["pelvic_drop_deg"].verdict == "no measurable change"
    assert by["pelvic_drop_deg"].text.startswith("no measurable change")


def test_a_measure_without_a_published_sdd_is_never_called_a_change() -> None:
    c = _pair({"depth": metric(0.2, sdd=None, unit="fraction of leg length")},
              {"depth": metric(0.35, sdd=None, unit="fraction of leg length")})
    assert c.metrics[0].verdict == "no SDD" and "not called a change" in c.metrics[0].text


def test_a_withheld_metric_is_not_comparable_with_the_reason() -> None:
    c = _pair({"fppa_deg": metric(None, sdd=8.0)}, {"fppa_deg": metric(10.0, sdd=8.0)})
    m = c.metrics[0]
    assert m.verdict == "not comparable" and m.change is None
    assert NOT_MEASURED in m.text and "first" in m.text


def test_two_tests_or_two_people_are_refused_with_the_reason() -> None:
    sls = from_result(make_result(test="single-leg-squat", left={}))
    squat = from_result(make_result(test="squat", left={}))
    c = compare(sls, squat)
    assert not c.comparable and "two different tests" in c.reason and not c.metrics
    a = from_result(make_result(left={}), patient="1")
    b = from_result(make_result(left={}), patient="2")
    c = compare(a, b)
    assert not c.comparable and "two different people" in c.reason


def test_reps_are_matched_in_order_per_leg() -> None:
    def reps(sides: list[str]) -> list[Rep]:
        return [Rep(index=i + 1, side=s, start_s=i * 2.0, bottom_s=i * 2.0 + 1, end_s=i * 2.0 + 2)  # type: ignore[arg-type]
                for i, s in enumerate(sides)]

    first = make_result(left={}).model_copy(update={"reps": reps(["left", "left", "right"])})
    second = make_result(left={}).model_copy(update={"reps": reps(["right", "left", "right", "left", "left"])})
    c = compare(from_result(first), from_result(second))
    pairs = [(p.side, p.before.index, p.after.index) for p in c.pairs]
    assert sorted(pairs) == [("left", 1, 2), ("left", 2, 4), ("right", 3, 1)]
