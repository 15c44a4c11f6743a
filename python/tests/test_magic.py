"""%load_ext gradwork and the %%gradwork cell magic, in an IPython shell."""

import pytest

IPython = pytest.importorskip("IPython")

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

import gradwork  # noqa: E402


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gradwork")
    return shell


def html_outputs(captured):
    return [o.data["text/html"] for o in captured.outputs if "text/html" in o.data]


def test_a_cell_runs_as_an_exercise_and_shows_its_worked_solution(ip):
    with capture_output() as c:
        ip.run_cell_magic("gradwork", "sol", "w = [1/3, 1/3, 1/3]\nshow L = sum(w) * 6\n")
    (html,) = html_outputs(c)
    assert html.startswith('<div class="gradwork"') and "<math" in html
    assert "%%gradwork" in html  # the name it shows
    sol = ip.user_ns["sol"]
    assert isinstance(sol, gradwork.Solution) and sol.answers["L"] == 6
    # Markdown and LaTeX are offered too; the notebook picks HTML.
    (out,) = c.outputs
    assert {"text/html", "text/markdown", "text/latex", "text/plain"} <= set(out.data)


def test_a_one_line_cell_is_source_not_a_path(ip):
    with capture_output():
        ip.run_cell_magic("gradwork", "one", "show y = 2 + 3\n")
    assert ip.user_ns["one"].answers["y"] == 5


def test_options_and_sheets(ip, seed):
    with capture_output() as c:
        ip.run_cell_magic("gradwork", "--detail brief --digits 6", "show p = sigmoid(1)")
    assert "0.731059" in html_outputs(c)[0]
    with capture_output() as c:
        ip.run_cell_magic("gradwork", "--sheet question", "x = 2\nshow y = x * 3")
    html = html_outputs(c)[0]
    assert "Answer:" in html and html.startswith('<div class="gradwork"')
    with capture_output() as c:
        ip.run_cell_magic("gradwork", "--format text", "show y = 7")
    assert "y = 7" in c.stdout


def test_errors_are_shown_at_their_line(ip):
    with capture_output() as c:
        ip.run_cell_magic("gradwork", "bad", "x = 1\nshow y = x +\n")
    html = html_outputs(c)[0]
    assert "syntax error" in html and "%%gradwork:2:" in html
    assert ip.user_ns["bad"].errors[0].line == 2


def test_the_line_magic_solves_a_file(ip, seed):
    with capture_output() as c:
        ip.run_line_magic("gradwork", str(seed / "task2.gw"))
    assert "<mn>16</mn>" in html_outputs(c)[0]
    with capture_output() as c:
        ip.run_line_magic("gradwork", "/no/such/file.gw")
    assert "No such file" in c.stderr
