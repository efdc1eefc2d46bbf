"""Measure the contacts list's results fragment in-process: time, SQL statements per request, peak memory."""
import statistics
import time
import tracemalloc

from sqlalchemy import event, func, select

from webapp.extensions import db
from webapp.models import Contact, Sector, SizeBand, User
from webapp.services.sessions import start_session

HX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def scenarios(app) -> list[tuple[str, str]]:
    """The six scenarios of issue 3, with ids read from the loaded data, then sorts by other columns."""
    with app.app_context():
        owner_id = db.session.scalar(select(Contact.owner_id).where(Contact.owner_id.is_not(None))
                                     .group_by(Contact.owner_id).order_by(func.count().desc()).limit(1))
        sector_id = db.session.scalar(select(Sector.id).where(Sector.label == "Industrie"))
        size_id = db.session.scalar(select(SizeBand.id).where(SizeBand.label == "10-49"))
    return [
        ("page 1, no filter", "/contacts"),
        ("q=dupont", "/contacts?q=dupont"),
        ("q=helene", "/contacts?q=helene"),
        ("one owner", f"/contacts?assigned={owner_id}"),
        ("active + sector + size", f"/contacts?active=active&sector={sector_id}&size={size_id}"),
        ("page 500", "/contacts?page=500"),
        ("sort Affaires, most first", "/contacts?sort=-deals"),
        ("sort Fonction", "/contacts?sort=function"),
        ("sort Prénom, descending", "/contacts?sort=-first_name"),
        ("sort Affecté à", "/contacts?sort=owner"),
    ]


def measure(app, client, url: str, runs: int) -> dict:
    statements = []

    def count(*_args):
        statements[-1] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):  # warm caches
            statements.append(0)
            assert client.get(url, headers=HX_RESULTS).status_code == 200
        times = []
        for _ in range(runs):
            statements.append(0)
            start = time.perf_counter()
            response = client.get(url, headers=HX_RESULTS)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        tracemalloc.start()
        statements.append(0)
        client.get(url, headers=HX_RESULTS)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times.sort()
    return {"median": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95) - 1)],
            "statements": max(statements[3:]), "peak_kib": peak / 1024, "body": response.text}


def logged_in_client(app, email: str):
    client = app.test_client()
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        session_id = start_session(user)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client
