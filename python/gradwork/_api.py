"""The Python face of gradwork: solve, grade, variants and their results.

The work is done by the compiled module ``gradwork._gradwork`` (the Rust
engine), which gives plain data back; this module turns it into the classes
below. Every call runs under the engine's run budget (work, memory, wall
time, steps: ``gradwork.DEFAULT_LIMITS``), so a hostile exercise ends in an
error within seconds instead of hanging the kernel.
"""

from __future__ import annotations

import html as _html
import json as _json
import os
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _gradwork as _engine

PathLike = Union[str, "os.PathLike[str]"]

#: The run budget of every call unless a call sets its own (``timeout=``,
#: ``max_work=``, ``max_memory=`` in MiB, ``max_steps=``); the same defaults
#: as the ``gradwork`` command.
DEFAULT_LIMITS = {
    "timeout": _engine.TIMEOUT,
    "max_work": _engine.WORK,
    "max_memory": _engine.MEMORY_MIB,
    "max_steps": _engine.STEP_LIMIT,
}


# ---- errors ---------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    """One error of an exercise, at its place (lines and columns from 1,
    columns in characters), as ``gradwork solve`` prints it (``rendered``)."""

    kind: str
    message: str
    hint: Optional[str]
    line: int
    column: int
    end_line: int
    end_column: int
    rendered: str

    def __str__(self) -> str:
        return self.rendered


class GradworkError(Exception):
    """What gradwork could not do, with the diagnostic text as its message.

    ``errors`` lists the exercise's diagnostics (``Diagnostic``) when the
    failure is an exercise's (a key that does not solve, an exercise with
    errors given to ``Solution.raise_for_errors``); ``solution`` is the
    ``Solution`` it came from, if any.
    """

    def __init__(
        self,
        message: str,
        errors: Sequence[Diagnostic] = (),
        solution: Optional["Solution"] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.solution = solution

    def __str__(self) -> str:
        return self.message


class GradworkWarning(UserWarning):
    """Something a call did, but not all of it (fewer variants than asked,
    a submitted exercise with errors)."""


def _diagnostics(errors: Sequence[Mapping[str, Any]]) -> List[Diagnostic]:
    return [Diagnostic(**e) for e in errors]


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Calls the engine; its failures become ``GradworkError``."""
    try:
        return fn(*args, **kwargs)
    except _engine.EngineError as e:
        message, errors = e.args
        raise GradworkError(str(message).rstrip("\n"), _diagnostics(errors)) from None


# ---- values ---------------------------------------------------------------------


class Approx:
    """An approximate number (what ``exp``, ``sqrt``, ``sigmoid`` make of
    exact ones) with guaranteed bounds: the true value lies in
    ``[lo, hi]``. ``float(a)`` and ``a.value`` are the midpoint; ``text``
    is how the worked solution shows it (``≈ 0.1824``)."""

    __slots__ = ("lo", "hi", "text")

    def __init__(self, lo: float, hi: float, text: Optional[str] = None) -> None:
        self.lo = float(lo)
        self.hi = float(hi)
        self.text = text if text is not None else f"≈ {self.value:.4g}"

    @property
    def value(self) -> float:
        return self.lo / 2 + self.hi / 2

    def __float__(self) -> float:
        return self.value

    def __contains__(self, x: Any) -> bool:
        return self.lo <= x <= self.hi

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Approx):
            return (self.lo, self.hi) == (other.lo, other.hi)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.lo, self.hi))

    def __repr__(self) -> str:
        return f"Approx({self.text!r}, lo={self.lo!r}, hi={self.hi!r})"

    def __str__(self) -> str:
        return self.text


def _has_numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


def _nest(flat: List[Any], shape: Sequence[int]) -> Any:
    if len(shape) == 1:
        return list(flat)
    step = 1
    for d in shape[1:]:
        step *= d
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _array(shape: Tuple[int, ...], flat: List[Any], numpy: bool) -> Any:
    if numpy:
        import numpy as np

        a = np.empty(len(flat), dtype=object)
        for i, x in enumerate(flat):
            a[i] = x
        return a.reshape(shape)
    return _nest(flat, shape)


def _value(node: Any, numpy: bool) -> Any:
    """An engine value as Python: ``Fraction`` (exact), ``Approx``, float
    (±inf), bool, str, None; a tensor as nested lists or a numpy array of
    objects; a list or tuple as one."""
    if isinstance(node, tuple):
        tag = node[0]
        if tag == "approx":
            return Approx(node[1], node[2], node[3])
        if tag == "tensor":
            return _array(tuple(node[1]), [_value(x, numpy) for x in node[2]], numpy)
        if tag == "list":
            return [_value(x, numpy) for x in node[1]]
        if tag == "tuple":
            return tuple(_value(x, numpy) for x in node[1])
        if tag == "other":
            return node[1]
    return node


def _use_numpy(arrays: str) -> bool:
    if arrays == "auto":
        return _has_numpy()
    if arrays in ("numpy", "list"):
        return arrays == "numpy"
    raise ValueError(f"arrays is 'auto', 'numpy' or 'list', not {arrays!r}")


@dataclass(frozen=True)
class Answer:
    """One answer of a solution: its id (the name, or ``name@part#k`` when a
    name is shown more than once), name, the expression shown, its
    sub-question, the line of its ``show``, its value and how the worked
    solution writes it."""

    id: str
    name: str
    expr: str
    part: Optional[str]
    line: int
    text: str
    value: Any


def _answers(rows: Sequence[Mapping[str, Any]], numpy: bool) -> List[Answer]:
    return [
        Answer(
            id=r["id"],
            name=r["name"],
            expr=r["expr"],
            part=r["part"],
            line=r["line"],
            text=r["text"],
            value=_value(r["value"], numpy),
        )
        for r in rows
    ]


# ---- reading exercises ------------------------------------------------------------


def _read_file(path: PathLike) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise GradworkError(
            f"{os.fspath(path)}:{line}:{col}: not UTF-8 text (byte {e.start}); save the file as UTF-8"
        ) from None


def _looks_like_path(text: str) -> bool:
    if "\n" in text or len(text) > 4096 or not text.strip():
        return False
    return text.endswith(".gw") or os.path.isfile(text)


class _Source(str):
    """Text that is an exercise's source, never a path (a cell's)."""


def _exercise(x: Any, name: Optional[str], default: str) -> Tuple[str, str]:
    """The source and name of an exercise given as a path, a source text,
    or a ``Solution``."""
    if isinstance(x, _Source):
        return str(x), name or default
    if isinstance(x, Solution):
        return x.source, name or x.name
    if isinstance(x, os.PathLike):
        return _read_file(x), name or os.fspath(x)
    if isinstance(x, str):
        if _looks_like_path(x):
            return _read_file(x), name or x
        return x, name or default
    raise TypeError(
        f"an exercise is a path (str or os.PathLike) or its source text, not {type(x).__name__}"
    )


def _config(
    detail: str = "full",
    digits: int = 4,
    timeout: Optional[float] = None,
    max_work: Optional[int] = None,
    max_memory: Optional[int] = None,
    max_steps: Optional[int] = None,
    bulk: bool = True,
) -> Dict[str, Any]:
    c: Dict[str, Any] = {"detail": detail, "digits": digits, "bulk": bulk}
    for k, v in (
        ("timeout", timeout),
        ("max_work", max_work),
        ("max_memory", max_memory),
        ("max_steps", max_steps),
    ):
        if v is not None:
            c[k] = v
    return c


# ---- solve ------------------------------------------------------------------------


class Solution:
    """A solved exercise.

    In a notebook it shows itself as the worked solution (HTML with MathML
    and SVG figures; Markdown and LaTeX for other front ends and
    converters). ``answers`` maps each answer's id to its value:
    ``fractions.Fraction`` when exact, ``Approx`` (with guaranteed bounds)
    when not, nested lists (or numpy arrays of objects) for tensors, bool
    for a verdict. ``ok`` is False when the exercise has errors or a failed
    check; ``errors`` lists them (``Diagnostic``: kind, message, line,
    column, hint). ``text`` is the worked solution as ``gradwork solve``
    prints it, ``html`` the self-contained page ``--format html`` writes.
    """

    def __init__(
        self, source: str, name: str, config: Dict[str, Any], data: Mapping[str, Any], numpy: bool
    ) -> None:
        self.source = source
        self.name = name
        self._config = config
        self.ok: bool = data["ok"]
        #: True when the only errors are failed checks (``gradwork solve`` exit 1).
        self.only_checks_failed: bool = data["only_checks_failed"]
        self.title: str = data["title"]
        self.text: str = data["text"]
        self.html: str = data["html"]
        self.markdown: str = data["markdown"]
        self.latex: str = data["latex"]
        #: The diagnostics as ``gradwork solve`` prints them ('' when none).
        self.diagnostics: str = data["diagnostics"]
        self._notebook_html: str = data["notebook_html"]
        self._json_text: str = data["json"]
        self._json: Optional[Dict[str, Any]] = None
        self.answer_details: List[Answer] = _answers(data["answers"], numpy)
        self.answers: Dict[str, Any] = {a.id: a.value for a in self.answer_details}
        self.errors: List[Diagnostic] = _diagnostics(data["errors"])

    @property
    def json(self) -> Dict[str, Any]:
        """The JSON report of ``gradwork solve --format json`` (one file's object)."""
        if self._json is None:
            self._json = _json.loads(self._json_text)
        return self._json

    def __getitem__(self, key: str) -> Any:
        """An answer's value by id, or by name when no id is that."""
        if key in self.answers:
            return self.answers[key]
        for a in self.answer_details:
            if a.name == key:
                return a.value
        raise KeyError(key)

    def raise_for_errors(self) -> "Solution":
        """Raises ``GradworkError`` (with the diagnostics) unless the
        exercise solved cleanly; returns the solution when it did."""
        if not self.ok:
            raise GradworkError(
                self.diagnostics.rstrip("\n") or f"{self.name}: not solved",
                self.errors,
                self,
            )
        return self

    def render(
        self, format: str = "html", sheet: Optional[str] = None, fragment: bool = False
    ) -> str:
        """The exercise as one document: ``format`` html, md, latex, text or
        json; ``sheet`` None (the worked solution), ``"question"`` (the
        exam sheet) or ``"key"``; ``fragment`` the LaTeX body only.
        Markdown's figures are inlined. (The exercise is solved again.)"""
        text, _ = _call(
            _engine.render, self.source, self.name, format, sheet, fragment, None, self._config
        )
        return text

    def save(
        self,
        path: PathLike,
        format: Optional[str] = None,
        sheet: Optional[str] = None,
        fragment: bool = False,
    ) -> Path:
        """Writes the exercise to ``path`` as ``gradwork solve -o`` does,
        in the format its extension names (.html, .md, .tex, .txt, .json)
        unless ``format`` is given; Markdown's figures are written beside
        it as SVG files. Gives the path."""
        path = Path(path)
        if format is None:
            format = {
                ".html": "html",
                ".htm": "html",
                ".md": "md",
                ".tex": "latex",
                ".txt": "text",
                ".json": "json",
            }.get(path.suffix.lower())
            if format is None:
                raise ValueError(
                    f"{path}: say format= (html, md, latex, text, json) for a file ending {path.suffix!r}"
                )
        text, assets = _call(
            _engine.render,
            self.source,
            self.name,
            format,
            sheet,
            fragment,
            path.stem,
            self._config,
        )
        path.write_text(text, encoding="utf-8")
        for name, body in assets:
            (path.parent / name).write_text(body, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self._notebook_html

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _repr_latex_(self) -> str:
        return self.latex

    def __str__(self) -> str:
        return self.text + (("\n" + self.diagnostics) if self.diagnostics else "")

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"{len(self.errors)} error(s)"
        return f"<gradwork.Solution {self.name!r}: {len(self.answers)} answer(s), {state}>"


def solve(
    source_or_path: Any,
    *,
    name: Optional[str] = None,
    detail: str = "full",
    digits: int = 4,
    arrays: str = "auto",
    timeout: Optional[float] = None,
    max_work: Optional[int] = None,
    max_memory: Optional[int] = None,
    max_steps: Optional[int] = None,
    bulk: bool = True,
    check: bool = False,
) -> Solution:
    """Solves an exercise and gives its worked solution.

    ``source_or_path`` is a path (``os.PathLike``, or a one-line str that
    ends in ``.gw`` or names a file) or the exercise's source text.
    ``name`` is the file name the solution shows (the path, or
    ``<string>``). ``detail`` is ``"full"`` or ``"brief"``; ``digits`` the
    significant digits of approximate values; ``arrays`` how tensors come
    back: ``"numpy"`` (arrays of objects), ``"list"`` (nested lists) or
    ``"auto"`` (numpy when it is installed). The run budget is
    ``DEFAULT_LIMITS`` unless ``timeout`` (seconds), ``max_work`` (units),
    ``max_memory`` (MiB) or ``max_steps`` say otherwise.

    An exercise with errors still gives a solution (``ok`` False, the
    diagnostics in ``errors`` and at the end of the worked solution);
    ``check=True`` raises ``GradworkError`` instead. A file that cannot
    be read raises ``OSError``.
    """
    source, name = _exercise(source_or_path, name, "<string>")
    config = _config(detail, digits, timeout, max_work, max_memory, max_steps, bulk)
    numpy = _use_numpy(arrays)
    data = _call(_engine.solve, source, name, config)
    sol = Solution(source, name, config, data, numpy)
    if check:
        sol.raise_for_errors()
    return sol


# ---- grade ------------------------------------------------------------------------


def _jsonable(v: Any, where: str) -> Any:
    """A submitted value as JSON: fractions as ``"n/d"`` strings (read back
    exactly), floats as their shortest decimal, as ``gradwork grade`` reads
    a JSON file."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError(f"{where}: {v} is not a number gradwork can mark")
        return v
    if isinstance(v, Approx):
        return v.value
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x, where) for x in v]
    tolist = getattr(v, "tolist", None)  # numpy arrays and scalars
    if callable(tolist):
        return _jsonable(tolist(), where)
    if type(v).__name__ == "Decimal":
        return str(v)
    raise TypeError(
        f"{where}: a submitted value is a number, Fraction, str or a nested list of them, not {type(v).__name__}"
    )


def _submission(x: Any, name: Optional[str]) -> Tuple[str, str, bool]:
    """(text, name, is_exercise) of a submission."""
    if isinstance(x, Solution):
        return x.source, name or x.name, True
    if isinstance(x, Mapping):
        values = {str(k): _jsonable(v, f"`{k}`") for k, v in x.items()}
        return _json.dumps(values), name or "<submission>", False
    path: Optional[str] = None
    if isinstance(x, os.PathLike):
        path = os.fspath(x)
    elif isinstance(x, str) and "\n" not in x and (
        x.endswith((".json", ".gw")) or os.path.isfile(x)
    ):
        path = x
    if path is not None:
        text = _read_file(path)
        return text, name or path, not path.lower().endswith(".json")
    if isinstance(x, str):
        is_json = x.lstrip().startswith("{")
        return x, name or "<submission>", not is_json
    raise TypeError(
        "a submission is a dict of answers, a path to a .json or .gw file, "
        f"a Solution, or JSON or exercise text, not {type(x).__name__}"
    )


_STATUS_SIGN = {"correct": "✓", "follow-through": "✓", "wrong": "✗", "missing": "–"}


class Grade:
    """A marking, as ``gradwork grade`` gives it: ``score`` of
    ``max_score``; ``marks`` one dict per answer of the key (id, status —
    correct, follow-through, wrong, missing —, score, expected, given,
    mistake, feedback); ``report`` the whole JSON report; ``gradescope``
    Gradescope's ``results.json``; ``text`` the text report."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.report: Dict[str, Any] = _json.loads(data["json"])
        self.gradescope: Dict[str, Any] = _json.loads(data["gradescope"])
        self.text: str = data["text"]
        self.submission_errors: List[Diagnostic] = _diagnostics(data["submission_errors"])
        self.score: float = self.report["score"]
        self.max_score: float = self.report["max_score"]
        self.marks: List[Dict[str, Any]] = self.report["answers"]
        self.intermediate: List[Dict[str, Any]] = self.report["intermediate"]
        self.unknown: List[str] = self.report["unknown"]
        self.worked: Optional[str] = self.report["worked"]

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<gradwork.Grade {self.report['key']!r}: {self.score:g} of {self.max_score:g}>"

    def _repr_html_(self) -> str:
        e = _html.escape
        rows = []
        for m in self.marks:
            sign = _STATUS_SIGN.get(m["status"], "?")
            cls = "ok" if m["status"] in ("correct", "follow-through") else "bad"
            rows.append(
                f'<tr class="{cls}"><td>{sign}</td><td><code>{e(m["id"])}</code></td>'
                f'<td>{e(m["given"] if m["given"] is not None else "—")}</td>'
                f'<td>{e(m["expected"])}</td><td>{m["score"]:g}/{m["max_score"]:g}</td>'
                f'<td>{e(m["feedback"])}</td></tr>'
            )
        for m in self.intermediate:
            sign = "✓" if m["status"] == "correct" else "✗"
            rows.append(
                f'<tr class="intermediate"><td>{sign}</td><td><code>{e(m["id"])}</code></td>'
                f'<td>{e(m["given"] if m["given"] is not None else "—")}</td>'
                f'<td>{e(m["expected"])}</td><td>—</td><td>{e(m["feedback"])}</td></tr>'
            )
        for u in self.unknown:
            rows.append(
                f"<tr><td>?</td><td><code>{e(u)}</code></td><td></td><td></td><td>—</td>"
                "<td>the key has no answer or value of that name</td></tr>"
            )
        worked = (
            "<details><summary>the key worked from your values</summary>"
            f"<pre>{e(self.worked)}</pre></details>"
            if self.worked
            else ""
        )
        return (
            '<div class="gradwork-grade">'
            # JupyterLab right-aligns the cells of tables in outputs
            # (`:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`): two
            # classes and two elements outweigh it.
            "<style>.gradwork-grade table.marks{border-collapse:collapse;margin:0.5rem 0}"
            ".gradwork-grade table.marks td,.gradwork-grade table.marks th{text-align:left;"
            "padding:0.2rem 0.5rem;vertical-align:top;white-space:normal}"
            ".gradwork-grade table.marks tr.ok td:first-child{color:#2e7d32}"
            ".gradwork-grade table.marks tr.bad td:first-child{color:#c62828}</style>"
            f'<p><strong>{e(self.report["key"])}: {self.score:g} of {self.max_score:g} marks</strong></p>'
            '<table class="marks"><thead><tr><th></th><th>answer</th><th>given</th><th>expected</th>'
            f"<th>marks</th><th>feedback</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{worked}</div>"
        )


def grade(
    key: Any,
    submission: Any,
    tolerance: float = 1e-3,
    *,
    key_name: Optional[str] = None,
    submission_name: Optional[str] = None,
    timeout: Optional[float] = None,
    max_work: Optional[int] = None,
    max_memory: Optional[int] = None,
    max_steps: Optional[int] = None,
) -> Grade:
    """Marks a student's answers against a key, with follow-through, as
    ``gradwork grade KEY SUBMISSION`` does.

    ``key`` is an exercise (a path or source text, or a ``Solution``).
    ``submission`` is a dict from answer names (or ids) to values — numbers,
    ``Fraction``s, strings such as ``"1/3"``, nested lists, numpy arrays —
    or a path to a ``.json`` or ``.gw`` file, JSON text, the source of the
    student's own exercise, or its ``Solution``. ``tolerance`` is the
    relative tolerance for key values with no finite decimal (1/3, an
    approximate value). Raises ``GradworkError`` when the key does not
    solve cleanly or the submission cannot be read.
    """
    key_src, key_name = _exercise(key, key_name, "<key>")
    sub_text, sub_name, is_exercise = _submission(submission, submission_name)
    config = _config(timeout=timeout, max_work=max_work, max_memory=max_memory, max_steps=max_steps)
    data = _call(
        _engine.grade,
        key_src,
        key_name,
        sub_text,
        sub_name,
        is_exercise,
        float(tolerance),
        config,
    )
    g = Grade(data)
    if g.submission_errors:
        warnings.warn(
            f"{sub_name} has errors; its answers before them are marked:\n"
            + g.submission_errors[0].rendered,
            GradworkWarning,
            stacklevel=2,
        )
    return g


# ---- variants ---------------------------------------------------------------------


class Variant:
    """One variant of a key: its ``number`` (from 1), ``source`` (the key
    with each ``vary(…)`` replaced by the drawn literal), ``drawn`` (label
    → literal), ``answers`` (id → value, as ``Solution.answers``) and
    ``answer_texts`` (id → as the worked solution writes it); ``files`` the
    exercise, key and question sheet written, when the call had ``out``."""

    def __init__(self, row: Mapping[str, Any], labels: Sequence[str], stem: str, numpy: bool, config: Dict[str, Any]) -> None:
        self.number: int = row["number"]
        self.source: str = row["source"]
        self.drawn: Dict[str, str] = dict(zip(labels, row["drawn"]))
        details = _answers(row["answers"], numpy)
        self.answer_details: List[Answer] = details
        self.answers: Dict[str, Any] = {a.id: a.value for a in details}
        self.answer_texts: Dict[str, str] = {a.id: a.text for a in details}
        files = row["files"]
        self.files: Optional[Tuple[Path, Path, Path]] = (
            tuple(Path(f) for f in files) if files else None  # type: ignore[assignment]
        )
        self.name = os.fspath(self.files[0]) if self.files else f"{stem}-{self.number:02d}.gw"
        self._config = config

    def solve(self, **kwargs: Any) -> Solution:
        """The variant's worked solution (solved again from its source)."""
        kwargs.setdefault("name", self.name)
        for k in ("detail", "digits"):
            kwargs.setdefault(k, self._config[k])
        return solve(self.source, **kwargs)

    def __repr__(self) -> str:
        drawn = ", ".join(f"{k}={v}" for k, v in self.drawn.items())
        return f"<gradwork.Variant {self.number}: {drawn}>"


class Variants(Sequence[Variant]):
    """The variants ``variants()`` made (a sequence of ``Variant``), with
    how many candidates were drawn (``tries``), repeated (``repeats``) and
    rejected and why (``rejected``: (reason, count) pairs), what the key
    marks (``marked``: label → the key's literal), the key's own answers
    as text (``key_answers``), and the summary files when written."""

    def __init__(self, key_name: str, seed: int, data: Mapping[str, Any], numpy: bool, config: Dict[str, Any]) -> None:
        self.key = key_name
        self.seed = seed
        self.tries: int = data["tries"]
        self.repeats: int = data["repeats"]
        self.rejected: List[Tuple[str, int]] = [tuple(r) for r in data["rejected"]]  # type: ignore[misc]
        self.marked: Dict[str, str] = dict(data["marked"])
        self.key_answers: Dict[str, str] = dict(data["key_answers"])
        self.report: str = data["report"]
        files = data["summary_files"]
        self.summary_files: Optional[Tuple[Path, Path]] = (
            (Path(files[0]), Path(files[1])) if files else None
        )
        labels = [label for label, _ in data["marked"]]
        stem = Path(key_name).stem or "variant"
        self._items = [Variant(r, labels, stem, numpy, config) for r in data["variants"]]

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: Any) -> Any:
        return self._items[i]

    def __iter__(self) -> Iterator[Variant]:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"<gradwork.Variants of {self.key!r}: {len(self)} (seed {self.seed})>"

    def __str__(self) -> str:
        return f"{self.key}: {len(self)} variant(s) (seed {self.seed})\n{self.report}"

    def _repr_html_(self) -> str:
        e = _html.escape
        ids = list(self.key_answers)
        head = "".join(f"<th><code>{e(k)}</code></th>" for k in self.marked) + "".join(
            f"<th>{e(i)}</th>" for i in ids
        )
        rows = [
            "<tr><td>key</td>"
            + "".join(f"<td><code>{e(v)}</code></td>" for v in self.marked.values())
            + "".join(f"<td>{e(self.key_answers[i])}</td>" for i in ids)
            + "</tr>"
        ]
        for v in self._items:
            rows.append(
                f"<tr><td>{v.number}</td>"
                + "".join(f"<td><code>{e(v.drawn.get(k, ''))}</code></td>" for k in self.marked)
                + "".join(f"<td>{e(v.answer_texts.get(i, ''))}</td>" for i in ids)
                + "</tr>"
            )
        return (
            '<div class="gradwork-variants"><style>.gradwork-variants table.summary{border-collapse:collapse}'
            ".gradwork-variants table.summary td,.gradwork-variants table.summary th{text-align:left;"
            "padding:0.2rem 0.5rem;white-space:nowrap}.gradwork-variants table.summary code{white-space:nowrap}</style>"
            f"<p><strong>{len(self)} variant(s) of {e(self.key)}</strong> (seed {self.seed})</p>"
            f"<pre>{e(self.report)}</pre>"
            f'<table class="summary"><thead><tr><th>variant</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


def variants(
    key: Any,
    n: int = 20,
    seed: int = 1,
    out: Optional[PathLike] = None,
    *,
    format: str = "md",
    max_tries: Optional[int] = None,
    key_name: Optional[str] = None,
    arrays: str = "auto",
    digits: int = 4,
    timeout: Optional[float] = None,
    max_work: Optional[int] = None,
    max_memory: Optional[int] = None,
    max_steps: Optional[int] = None,
) -> Variants:
    """Makes ``n`` variants of a key with nice numbers, as ``gradwork
    variants KEY --count N --seed S`` does: each number marked ``vary(…)``
    drawn anew (the same ``seed``, the same variants), every ``require``
    met, each variant distinct and solved.

    With ``out`` (a folder), writes what the command writes: each
    variant's exercise, worked key and question sheet (``format``: md,
    latex or html) and the summary (``STEM-summary.md``, ``.json``).
    Raises ``GradworkError`` when the key does not solve or marks nothing
    to vary; warns (``GradworkWarning``) when the tries (``max_tries``, 200
    per variant and at least 1000 by default) run out before ``n``.
    """
    key_src, key_name = _exercise(key, key_name, "key.gw")
    config = _config(
        digits=digits, timeout=timeout, max_work=max_work, max_memory=max_memory, max_steps=max_steps
    )
    numpy = _use_numpy(arrays)
    data = _call(
        _engine.variants,
        key_src,
        key_name,
        int(n),
        int(seed),
        max_tries,
        os.fspath(out) if out is not None else None,
        format,
        config,
    )
    result = Variants(key_name, seed, data, numpy, config)
    if len(result) < n:
        warnings.warn(
            f"only {len(result)} of {n} variants after {result.tries} candidates; widen the "
            "`vary` ranges, loosen a `require`, or raise max_tries",
            GradworkWarning,
            stacklevel=2,
        )
    return result
