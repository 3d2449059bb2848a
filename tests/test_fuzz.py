"""API fuzzing: schemathesis sends generated requests to every operation in /openapi.json.

Each operation gets valid and invalid data (NUL characters included) with an editor's token,
sent in-process to the test's own app on each backend. No response may be a 5xx, and every
response must have a status code, a content type and a body that the spec declares for it.

The schema comes from an app built only to serve its spec; the cases go to the ``app``
fixture, which runs on SQLite or PostgreSQL. Runs are bounded and reproducible: a fixed seed,
derandomized Hypothesis, a few examples per operation and no example database on disk.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.configuration
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import strategies as st

from app.auth.models import Role
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.factories import Account, make_account, make_post, make_source

MAX_EXAMPLES = 30

# Hypothesis caches Unicode tables and constants on disk, already while pytest collects these
# tests; keep them out of the repository (there is no example database: `database=None`).
hypothesis.configuration.set_hypothesis_home_dir(
    Path(tempfile.gettempdir()) / "presseschau-hypothesis"
)


def _served_openapi() -> dict[str, Any]:
    """/openapi.json as the app serves it; this app never opens its in-memory database."""
    settings = Settings(database_url="sqlite://", timezone="Europe/Berlin", language="de")
    response = TestClient(create_app(settings=settings)).get("/openapi.json")
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20220110,
        "generation": {
            "mode": "all",  # positive and negative data
            "allow-x00": True,  # NUL characters in generated strings
            "deterministic": True,
            "database": "none",  # no example database
            # Every request carries the editor's token instead of generated credentials.
            "with-security-parameters": False,
            # Now and then a parameter gets a classic troublemaker instead of a random value.
            "dictionaries": {
                "string": {"dictionary": "hostile-strings", "probability": 0.2},
                "integer": {"dictionary": "edge-integers", "probability": 0.2},
            },
        },
        "dictionaries": {
            "hostile-strings": {
                "values": [
                    "\x00",
                    "a\x00b",
                    "\u00b3",  # SUPERSCRIPT THREE: str.isdigit() says yes, int() says no
                    "\u0661",  # ARABIC-INDIC DIGIT ONE: int() reads it as 1
                    "0001-01-01T00:00:00+01:00",
                    "9999-12-31T23:59:59-10:00",
                ]
            },
            "edge-integers": {"values": [0, -1, 12, 31, 9999, 2**31 - 1, 2**31, 2**63]},
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)

schema = schemathesis.openapi.from_dict(_served_openapi(), config=CONFIG)

# Path parameter values of the rows the running test seeded, by (first path segment after
# /api/v1, parameter name); filled and emptied by the `seeded` fixture.
_real_values: dict[tuple[str, str], list[int | str]] = {}


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """Each generated id, slug or date part may be swapped for one of a seeded row."""
    operation = context.operation
    if operation is None or not path_parameters or not _real_values:
        return st.just(path_parameters)
    collection = operation.path.removeprefix("/api/v1/").split("/")[0]
    parameters: dict[str, st.SearchStrategy[Any]] = {}
    for name, generated in path_parameters.items():
        real = _real_values.get((collection, name), [])
        if isinstance(generated, int) and not isinstance(generated, bool):
            real = [value for value in real if isinstance(value, int)]
        else:
            real = [str(value) for value in real]
        parameters[name] = st.sampled_from([generated, *real])
    return st.fixed_dictionaries(parameters)


@pytest.fixture
def seeded(db: Database) -> Iterator[Account]:
    """An editor whose token every request carries, one source and two posts by it, both
    with the same two tags."""
    editor = make_account(db, Role.editor)
    source = make_source(db, name="Global Times", domains=["globaltimes.cn"])
    posts = [make_post(db, editor, source_id=source.id, tags=["Handel", "Zölle"]) for _ in range(2)]
    local_day = posts[0].date  # both posts' site-local day, for the archives
    assert local_day is not None
    _real_values.update(
        {
            ("posts", "id_or_slug"): [value for post in posts for value in (post.id, post.slug)],
            ("sources", "id_or_slug"): [source.id, source.slug],
            ("tags", "slug"): ["handel", "zoelle"],
            ("users", "user_id"): [editor.viewer.user_id],
            ("archives", "year"): [local_day.year],
            ("archives", "month"): [local_day.month],
            ("archives", "day"): [local_day.day],
        }
    )
    yield editor
    _real_values.clear()


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        # `app` and `seeded` are made once per operation, not once per example.
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_response_matches_the_spec(
    case: schemathesis.Case[Any], app: FastAPI, seeded: Account
) -> None:
    case.call_and_validate(app=app, headers=seeded.headers)
