"""Types of facts and parameters, as the expression checker sees them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Type:
    """``base`` is one of ``int``, ``number``, ``bool``, ``string``.

    ``nullable`` facts may have no value; ``choices`` lists the allowed values of an
    enumerated string (used to catch a misspelt literal such as ``'departmnet'``).
    """

    base: str
    nullable: bool = False
    choices: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.base in ("int", "number")

    def describe(self) -> str:
        return self.base + (" | null" if self.nullable else "")


INT = Type("int")
NUMBER = Type("number")
BOOL = Type("bool")
STRING = Type("string")
