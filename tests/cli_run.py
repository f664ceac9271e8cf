"""Run the ``ag18`` command in-process, as the tests do: ``code, out, err = run("check", plan)``."""
from __future__ import annotations

import io

from ag18_rules.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()
