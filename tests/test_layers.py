"""The packages below the HTTP layer never import it: the response cache and the app sit above
the domain, so what both need (the content version, aggregates kept per version) lives below
them, and a domain change cannot pull in, or be broken by, the HTTP machinery."""

import ast
from pathlib import Path

import app

APP = Path(app.__file__).parent
# The domain and what it builds on: each may import the others, never what is above them.
BELOW_HTTP = (
    "archives", "auth", "core", "demo", "derived", "importers", "posts", "sources", "transfer",
    "audit", "events", "worker", "revisions", "tags",
)  # fmt: skip
ABOVE = ("app.caching", "app.compression", "app.main")


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module ``tree`` imports (at the top or inside a function), with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from app import caching`` names the package as an imported name.
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _upward_imports(package: str) -> list[str]:
    offences: dict[str, str] = {}  # one per import statement, by its place
    for path in sorted((APP / package).rglob("*.py")):
        for line, module in _imported(ast.parse(path.read_text(), str(path))):
            if any(module == above or module.startswith(f"{above}.") for above in ABOVE):
                place = f"{path.relative_to(APP.parent)}:{line}"
                offences.setdefault(place, f"{place} imports {module}")
    return list(offences.values())


def test_no_domain_package_imports_the_http_cache_or_the_app() -> None:
    offences = [offence for package in BELOW_HTTP for offence in _upward_imports(package)]
    assert offences == []


def test_the_check_sees_an_upward_import() -> None:
    """The walk finds each way of writing such an import, or the test above proves nothing."""
    source = (
        "import app.caching.store\n"
        "from app import main\n"
        "def later() -> None:\n"
        "    from app.caching.memo import memo_for\n"
    )
    modules = [module for _, module in _imported(ast.parse(source))]
    assert "app.caching.store" in modules
    assert "app.main" in modules
    assert "app.caching.memo" in modules
