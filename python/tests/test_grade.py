"""gradwork.grade: the marks of `gradwork grade`, from every kind of submission."""

import json
import subprocess
import warnings
from fractions import Fraction

import pytest

import gradwork
from conftest import has_numpy

CORRECT = {
    "f_p1": [1, 1, 1, 1],
    "f_p2": [3, 3, 3, 3],
    "L": 16,
    "grad(L, w)": [33.2, 33.2, 29.6],
    "grad(L, b)": 0,
}


def test_a_correct_submission_gets_every_mark(seed):
    g = gradwork.grade(seed / "task2.gw", CORRECT)
    assert (g.score, g.max_score) == (5, 5)
    assert [m["status"] for m in g.marks] == ["correct"] * 5
    assert g.worked is None and g.unknown == []
    assert repr(g) == f"<gradwork.Grade {str(seed / 'task2.gw')!r}: 5 of 5>"
    assert str(g).startswith(f"{seed / 'task2.gw'}: 5 of 5 marks")
    assert g.gradescope["score"] == 5


def test_a_slip_is_followed_through(seed, grading):
    g = gradwork.grade(seed / "task2.gw", grading / "task2_slip.json")
    by_id = {m["id"]: m for m in g.marks}
    assert by_id["f_p2"]["status"] == "wrong"
    assert by_id["L"]["status"] == "follow-through"
    assert by_id["L"]["carried_from"] == ["f_p2"]
    assert g.worked and "f_p2" in g.worked
    html = g._repr_html_()
    assert "<table class=\"marks\">" in html and "✓" in html and "✗" in html
    assert f"{g.score:g} of 5 marks" in html


def test_fractions_strings_and_floats_are_read_exactly(seed):
    sub = dict(CORRECT)
    sub["grad(L, w)"] = [Fraction(166, 5), "33.2", 29.6]
    sub["L"] = Fraction(16)
    g = gradwork.grade(seed / "task2.gw", sub)
    assert g.score == 5
    # A fraction with no finite decimal is exact: 1/3 is not 0.3333.
    key = "w = [1, 2]\nshow m = sum(w) / 9"
    assert gradwork.grade(key, {"m": Fraction(1, 3)}).score == 1
    assert gradwork.grade(key, {"m": "1/3"}).score == 1
    assert gradwork.grade(key, {"m": 0.3333}).score == 1  # within the tolerance
    assert gradwork.grade(key, {"m": 0.3333}, tolerance=1e-6).score == 0
    assert gradwork.grade(key, {"m": 0.33}).score == 0


@pytest.mark.skipif(not has_numpy(), reason="numpy is not installed")
def test_numpy_values(seed):
    import numpy as np

    sub = dict(CORRECT)
    sub["f_p1"] = np.array([1, 1, 1, 1])
    sub["L"] = np.int64(16)
    sub["grad(L, w)"] = np.array([33.2, 33.2, 29.6])
    assert gradwork.grade(seed / "task2.gw", sub).score == 5


def test_submissions_as_exercises_json_and_solutions(seed, grading):
    key = seed / "task2.gw"
    by_path = gradwork.grade(key, grading / "task2_student.gw")
    student = (grading / "task2_student.gw").read_text()
    by_source = gradwork.grade(key, student)
    by_solution = gradwork.grade(key, gradwork.solve(student))
    by_json_text = gradwork.grade(key, (grading / "task2_slip.json").read_text())
    by_json_path = gradwork.grade(key, str(grading / "task2_slip.json"))
    assert by_path.marks == by_source.marks == by_solution.marks
    assert by_json_text.marks == by_json_path.marks
    assert by_path.score == by_source.score


def test_a_submitted_exercise_with_errors_warns(seed):
    with pytest.warns(gradwork.GradworkWarning, match="unknown name"):
        g = gradwork.grade(seed / "task2.gw", "show L = 16\nshow f_p1 = nope")
    assert g.submission_errors[0].kind == "unknown name"
    assert {m["id"]: m["status"] for m in g.marks}["L"] == "correct"


def test_a_key_that_does_not_solve_and_bad_submissions(seed):
    with pytest.raises(gradwork.GradworkError, match="the key does not solve cleanly") as info:
        gradwork.grade("show x = ", {"x": 1})
    assert info.value.errors and info.value.errors[0].kind == "syntax error"
    with pytest.raises(gradwork.GradworkError, match="not JSON"):
        gradwork.grade(seed / "task2.gw", "{not json")
    with pytest.raises(gradwork.GradworkError, match="rows of different lengths"):
        gradwork.grade(seed / "task2.gw", {"f_p1": [[1, 2], [3]]})
    with pytest.raises(ValueError):
        gradwork.grade(seed / "task2.gw", {"L": float("nan")})
    with pytest.raises(TypeError):
        gradwork.grade(seed / "task2.gw", {"L": object()})
    with pytest.raises(ValueError):
        gradwork.grade(seed / "task2.gw", CORRECT, tolerance=-1)


def test_unknown_names_and_intermediate_values(seed):
    g = gradwork.grade(seed / "task2.gw", {"L": 16, "nonsense": 1, "w": [Fraction(1, 3)] * 3})
    assert g.unknown == ["nonsense"]
    assert [m["id"] for m in g.intermediate] == ["w"]


def test_the_same_report_as_the_command(seed, grading, cli):
    for sub in ("task2_slip.json", "task2_mistakes.json", "task2_student.gw"):
        run = subprocess.run(
            [str(cli), "grade", str(seed / "task2.gw"), str(grading / sub), "--format", "json"],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = gradwork.grade(seed / "task2.gw", grading / sub)
        assert json.loads(run.stdout) == g.report
