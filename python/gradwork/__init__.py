"""gradwork: exact, explainable deep-learning exercises, in Python and Jupyter.

    import gradwork
    sol = gradwork.solve("exercises/seed/task2.gw")   # or the source text
    sol                      # in a notebook: the worked solution (MathML, SVG)
    sol.answers["L"]         # Fraction(16, 1)

    %load_ext gradwork       # then a %%gradwork cell runs as an exercise

    gradwork.grade("task2.gw", {"L": 16, "f_p1": [1, 1, 1, 1]})
    gradwork.variants("task2.gw", n=5, seed=1, out="variants/")

docs/jupyter.md has the whole tour.
"""

from ._api import (
    DEFAULT_LIMITS,
    Answer,
    Approx,
    Diagnostic,
    Grade,
    GradworkError,
    GradworkWarning,
    Solution,
    Variant,
    Variants,
    grade,
    solve,
    variants,
)
from ._gradwork import VERSION as __version__

__all__ = [
    "DEFAULT_LIMITS",
    "Answer",
    "Approx",
    "Diagnostic",
    "Grade",
    "GradworkError",
    "GradworkWarning",
    "Solution",
    "Variant",
    "Variants",
    "grade",
    "solve",
    "variants",
    "load_ipython_extension",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython):  # type: ignore[no-untyped-def]
    """``%load_ext gradwork``: registers the ``%%gradwork`` cell magic."""
    from ._magic import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):  # type: ignore[no-untyped-def]
    pass
