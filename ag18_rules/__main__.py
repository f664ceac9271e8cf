"""``python -m ag18_rules`` is the ``ag18`` command."""
import sys

from .cli import main

sys.exit(main())
