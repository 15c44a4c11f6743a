"""IPython magics: ``%load_ext gradwork``, then ``%%gradwork`` runs a cell
as an exercise and shows its worked solution."""

from __future__ import annotations

import sys
from typing import Any, Optional

from IPython.core import magic_arguments
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import HTML, Markdown, display

from . import _api
from . import _gradwork as _engine


@magics_class
class GradworkMagics(Magics):
    @magic_arguments.magic_arguments()
    @magic_arguments.argument(
        "target",
        nargs="?",
        help="%%%%gradwork: a variable to keep the Solution in; %%gradwork FILE: the exercise file",
    )
    @magic_arguments.argument("--detail", choices=["full", "brief"], default="full")
    @magic_arguments.argument("--digits", type=int, default=4, help="significant digits of ≈ values")
    @magic_arguments.argument(
        "--format",
        choices=["html", "md", "text"],
        default=None,
        help="show only this (default: all; the notebook picks HTML)",
    )
    @magic_arguments.argument(
        "--sheet",
        choices=["question", "key"],
        default=None,
        help="show the exam sheet instead of the worked solution",
    )
    @magic_arguments.argument("--name", default=None, help="the file name the solution shows")
    @magic_arguments.argument("--timeout", type=float, default=None, help="seconds (default 10)")
    @magic_arguments.argument("--max-work", type=int, default=None)
    @magic_arguments.argument("--max-memory", type=int, default=None, help="MiB")
    @magic_arguments.argument("--max-steps", type=int, default=None)
    @line_cell_magic
    def gradwork(self, line: str, cell: Optional[str] = None) -> Any:
        """Solve an exercise and show its worked solution.

            %%gradwork [VAR] [--detail brief] [--digits N] [--sheet question|key]
            w = [1/3, 1/3, 1/3]
            show L = sum(w)

        runs the cell as an exercise (VAR keeps the ``gradwork.Solution``);
        ``%gradwork path/to/task.gw`` solves a file.
        """
        args = magic_arguments.parse_argstring(self.gradwork, line)
        if cell is None:
            if not args.target:
                print("usage: %gradwork FILE.gw, or %%gradwork [VAR] with the exercise in the cell",
                      file=sys.stderr)
                return None
            source: Any = args.target
            var = None
        else:
            # The cell is the exercise, even when it is one line naming a file.
            source = _api._Source(cell)
            var = args.target
        try:
            sol = _api.solve(
                source,
                name=args.name or (None if cell is None else "%%gradwork"),
                detail=args.detail,
                digits=args.digits,
                timeout=args.timeout,
                max_work=args.max_work,
                max_memory=args.max_memory,
                max_steps=args.max_steps,
            )
        except (_api.GradworkError, OSError) as e:
            print(f"gradwork: {e}", file=sys.stderr)
            return None
        if var:
            self.shell.user_ns[var] = sol
        if args.sheet:
            page = sol.render("html", sheet=args.sheet)
            display(HTML(_engine.notebook_html(page)))
        elif args.format == "html":
            display(HTML(sol._repr_html_()))
        elif args.format == "md":
            display(Markdown(sol.markdown))
        elif args.format == "text":
            print(str(sol))
        else:
            display(sol)
        return None


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gradwork``: registers ``%%gradwork`` and ``%gradwork``."""
    ipython.register_magics(GradworkMagics)


def unload_ipython_extension(ipython: Any) -> None:
    pass
