"""Print a pip constraints file that pins every runtime dependency (and the ``local``
extra's) at the lowest version ``pyproject.toml`` admits.

CI installs the project under it and runs the unit and contract tests there, so a floor
below what the code uses (a keyword argument that came in a later release) fails a
build instead of a user's service. Run as ``python -m tests.min_versions.constraints``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# The extras whose floors are the user's, not only the suite's: the embedded DynamoDB.
USER_EXTRAS = ("local",)
_FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$")


def floors(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """Each runtime requirement's name and the version its ``>=`` names.

    Raises:
        ValueError: a requirement has no ``>=`` floor (every one must say what it needs).
    """
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in USER_EXTRAS:
        requirements += project["optional-dependencies"][extra]
    found: dict[str, str] = {}
    for requirement in requirements:
        match = _FLOOR.match(requirement)
        floor = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", match.group(3)) if match else None
        if match is None or floor is None:
            raise ValueError(f"{requirement!r} in pyproject.toml has no '>=' floor")
        found[match.group(1)] = floor.group(1)
    return found


def main() -> int:
    for name, version in sorted(floors().items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
