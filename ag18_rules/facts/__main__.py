"""``python -m ag18_rules.facts`` prints the fact catalogue as Markdown."""
import sys

from . import render_markdown

sys.stdout.write(render_markdown())
