"""One rule for transactions: services flush, the request's (or the CLI command's) unit of work commits."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import csrf, db
from webapp.models import Entity
from webapp.unit_of_work import unit_of_work

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"

@pytest.fixture(scope="module")
def app(app):
    """The module's app with a view that writes, then answers with the status the request asks for."""

    @app.post("/_test/entity/<int:status>")
    def _write_then_answer(status: int):
        db.session.add(Entity(label=f"Écrite {status}"))
        db.session.flush()
        return "", status

    csrf.exempt(_write_then_answer)
    return app


def _entities(app, label: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Entity).where(Entity.label == label))


def test_no_module_commits_or_rolls_back_but_the_unit_of_work():
    found = [f"{path.relative_to(WEBAPP)}:{number}"
             for path in WEBAPP.rglob("*.py") if path.name != "unit_of_work.py"
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if re.search(r"db\.session\.(commit|rollback)\(", line)]
    assert found == []


@pytest.mark.parametrize(("status", "kept"), [(200, 1), (302, 1), (422, 0), (409, 0)])
def test_a_request_keeps_its_writes_only_when_it_succeeds(app, status, kept):
    assert app.test_client().post(f"/_test/entity/{status}").status_code == status
    assert _entities(app, f"Écrite {status}") == kept


def test_a_cli_unit_of_work_commits_at_the_end_and_rolls_back_on_an_error(app):
    with app.app_context(), unit_of_work():
        db.session.add(Entity(label="CLI"))
    with pytest.raises(RuntimeError), app.app_context(), unit_of_work():
        db.session.add(Entity(label="Échec"))
        db.session.flush()
        raise RuntimeError
    assert (_entities(app, "CLI"), _entities(app, "Échec")) == (1, 0)
