"""python/examples/gradwork.ipynb, executed headless (nbclient, a kernel of
this Python), and its outputs checked: task 2's worked solution in MathML
with L = 16, the %%gradwork cells, grade and variants.

$GRADWORK_NOTEBOOK_OUT, when set, is where the executed notebook is saved.
"""

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "gradwork.ipynb"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "the notebook is kept without outputs"
    )
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on any error
    out = os.environ.get("GRADWORK_NOTEBOOK_OUT")
    if out:
        nbformat.write(nb, out)
    return [c for c in nb.cells if c.cell_type == "code"]


def data(cell, mime):
    """The `mime` outputs of a cell (display data and results); plain text
    with IPython's line breaks joined."""
    found = [o["data"][mime] for o in cell.outputs if mime in o.get("data", {})]
    if mime == "text/plain":
        found = [re.sub(r",\s+", ", ", t) for t in found]
    return found


def cell_with(cells, text):
    (c,) = [c for c in cells if text in c.source]
    return c


def test_task2_shows_its_worked_solution_in_mathml(executed):
    (html,) = data(cell_with(executed, 'gradwork.solve(seed / "task2.gw")'), "text/html")
    assert html.startswith('<div class="gradwork"')
    assert html.count("<math") > 20
    assert "Siamese metric learning with a quadratic contrastive loss (task 2)" in html
    # L = 16, the answer, and the gradient with respect to w.
    assert '<td class="rhs"><math xmlns="http://www.w3.org/1998/Math/MathML"><mo>=</mo><mn>16</mn></math>' in html
    assert '<th>L</th><td class="answer"><math xmlns="http://www.w3.org/1998/Math/MathML"><mn>16</mn></math>' in html
    assert "<mn>33.2</mn>" in html and "<mn>29.6</mn>" in html
    # The style applies inside the output only.
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "\nh2 {" not in style and "\nbody {" not in style and ".gradwork h2 {" in style


def test_answers_are_fractions_and_approximations(executed):
    (text,) = data(cell_with(executed, 'sol.answers["L"]'), "text/plain")
    assert text.startswith("(Fraction(16, 1), ")
    assert "Fraction(166, 5)" in text and "Fraction(148, 5)" in text
    (text,) = data(cell_with(executed, 'answers["p"][0]'), "text/plain")
    assert text.startswith("(Approx('≈ 0.1824', lo=0.18242552380635")


def test_the_cell_magic_shows_the_worked_solution(executed):
    (html,) = data(cell_with(executed, "%%gradwork neuron"), "text/html")
    assert html.startswith('<div class="gradwork"') and "<math" in html
    assert "One neuron, by hand" in html
    (text,) = data(cell_with(executed, 'neuron.answers["z"]'), "text/plain")
    assert text.startswith("(Fraction(1, 4), Approx('≈ 0.5622'")


def test_a_mistake_is_shown_at_its_line(executed):
    (html,) = data(cell_with(executed, "sigmod(x)"), "text/html")
    assert "unknown name" in html and "%%gradwork:2:10" in html
    assert "did you mean `sigmoid`?" in html


def test_grade_and_variants(executed):
    (html,) = data(cell_with(executed, "gradwork.grade("), "text/html")
    assert "of 5 marks" in html and "<table class=\"marks\">" in html and "✓" in html and "✗" in html
    (html,) = data(cell_with(executed, "gradwork.variants("), "text/html")
    assert "3 variant(s) of" in html and html.count("<tr>") == 5  # head, key, 3 variants
    (html,) = data(cell_with(executed, "vs[0].solve("), "text/html")
    assert "task2-01.gw" in html and "<math" in html
