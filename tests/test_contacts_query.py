"""ContactQuery: each filter alone and combined, search, French order, pages, hostile parameters, links."""
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from webapp import queries
from webapp.extensions import db
from webapp.models import Deal, Opportunity, Origin, RevenueRange, Sector, SizeBand, Skill, User, contact_skills
from webapp.queries import ContactQuery
from webapp.phones import to_e164


def _ref_id(app, model, label):
    with app.app_context():
        return db.session.scalar(db.select(model.id).where(model.label == label))


@pytest.fixture
def world(app, make):
    """Two entities, three salespeople, four accounts and a dozen contacts with accents, particles and phones."""
    east, west = make.entity("Est"), make.entity("Ouest")
    marion = make.user("COTILLON Marion", entities=[east])
    nicolas = make.user("BERTRAND Nicolas", entities=[east, west])
    boss = make.user("ROYER Sébastien", role="Responsable commercial")
    banque, industrie = _ref_id(app, Sector, "Banque"), _ref_id(app, Sector, "Industrie")
    small, big = _ref_id(app, SizeBand, "10-49"), _ref_id(app, SizeBand, "1000+")
    aprool = make.client_account("APROOL", entities=[east], owner=nicolas, sector_id=banque, size_band_id=small,
                                 revenue_range_id=_ref_id(app, RevenueRange, "1-10 M€"),
                                 origin_id=_ref_id(app, Origin, "Salon"))
    eclair = make.client_account("Éclair Industries", entities=[east], sector_id=industrie, size_band_id=big)
    zeta = make.client_account("Zêta Conseil", entities=[west], owner=marion, sector_id=banque)
    old = make.client_account("Ancienne SA", entities=[east], archived=True)

    def contact(client, last, first, **values):
        for kind in ("phone", "mobile", "fax"):
            if values.get(kind):
                values[f"{kind}_e164"] = to_e164(values[kind])
        return make.contact(client, last, first, **values)

    people = {
        "blou": contact(aprool, "BLOU", "Hélène", function="Chef de projet", phone="01.20.35.99.65",
                        mobile="06.25.34.12.57", email="helene.blou@aprool.com"),
        "daroin": contact(aprool, "DAROIN", "Elise", function="CHEF DE PROJET", owner_id=marion.id),
        "brie": contact(aprool, "BRIE", "Alexandre", function="Consultant", owner_id=nicolas.id),
        "arcy": contact(eclair, "d'Arcy", "Étienne", function="DSI", owner_id=marion.id),
        "ecole": contact(eclair, "École", "Zoé", function="Acheteuse"),
        "dupont": contact(zeta, "Dupont", "Jean", function="DAF", phone="+32 2 123 45 67"),
        "gone": contact(zeta, "Parti", "Paul", left_company=True),
        "archived": contact(old, "Archivé", "Anne"),
    }
    return {"east": east, "west": west, "marion": marion, "nicolas": nicolas, "boss": boss, "aprool": aprool,
            "eclair": eclair, "zeta": zeta, "old": old, "banque": banque, "industrie": industrie,
            "small": small, "big": big, **people}


def names(app, world, user_key="boss", **args):
    """Last names on the first page for these query parameters, as the list shows them."""
    with app.app_context():
        user = db.session.get(User, world[user_key].id)
        params = MultiDict()
        for key, value in args.items():
            for item in value if isinstance(value, list) else [value]:
                params.add(key, str(item))
        result = ContactQuery.from_args(params).page_of_rows(user)
        return [row.last_name for row in result.rows]


def test_default_order_is_company_then_name_ignoring_accents(app, world):
    assert names(app, world) == ["BLOU", "BRIE", "DAROIN", "d'Arcy", "École", "Dupont"]


def test_inactive_and_archived_are_excluded_by_default_and_can_be_asked_for(app, world):
    assert "Parti" not in names(app, world) and "Archivé" not in names(app, world)
    assert names(app, world, active="inactive") == ["Parti"]
    assert "Parti" in names(app, world, active="all")
    assert names(app, world, archived="only") == ["Archivé"]
    assert "Archivé" in names(app, world, archived="include")


@pytest.mark.parametrize("q,expected", [
    ("helene", ["BLOU"]), ("HÉLÈNE", ["BLOU"]), ("élène", ["BLOU"]), ("ecole", ["École"]),
    ("0120359965", ["BLOU"]), ("01 20 35", ["BLOU"]), ("+33 1 20 35 99", ["BLOU"]), ("32 2 123", ["Dupont"]),
    ("chef projet", ["BLOU", "DAROIN"]), ("chef aprool daroin", ["DAROIN"]), ("aprool.com", ["BLOU"]),
    ("d'arcy", ["d'Arcy"]), ("ar", ["DAROIN", "d'Arcy"]), ("zzz", []),
    ("100% _x", []), ('"quote', []),
])
def test_search_ignores_case_and_accents_and_matches_inside_words(app, world, q, expected):
    assert names(app, world, q=q) == expected


def test_each_filter_alone(app, world):
    assert names(app, world, assigned=world["marion"].id) == ["DAROIN", "d'Arcy"]
    assert names(app, world, assigned="none") == ["BLOU", "École", "Dupont"]
    assert names(app, world, assigned=[world["nicolas"].id, "none"]) == ["BLOU", "BRIE", "École", "Dupont"]
    assert names(app, world, client=world["eclair"].id) == ["d'Arcy", "École"]
    assert names(app, world, entity=world["west"].id) == ["Dupont"]
    assert names(app, world, sector=world["banque"]) == ["BLOU", "BRIE", "DAROIN", "Dupont"]
    assert names(app, world, size=world["big"]) == ["d'Arcy", "École"]
    assert names(app, world, revenue=_ref_id(app, RevenueRange, "1-10 M€")) == ["BLOU", "BRIE", "DAROIN"]
    assert names(app, world, origin=_ref_id(app, Origin, "Salon")) == ["BLOU", "BRIE", "DAROIN"]


def test_skill_filter(app, world):
    java = _ref_id(app, Skill, "Java")
    with app.app_context():
        db.session.execute(contact_skills.insert().values(contact_id=world["brie"].id, skill_id=java))
        db.session.commit()
    assert names(app, world, skill=java) == ["BRIE"]


def test_filters_combine(app, world):
    assert names(app, world, sector=world["banque"], assigned="none") == ["BLOU", "Dupont"]
    assert names(app, world, sector=world["banque"], q="chef", assigned=world["marion"].id) == ["DAROIN"]
    assert names(app, world, entity=world["east"].id, active="all", archived="include",
                 size=world["small"]) == ["BLOU", "BRIE", "DAROIN"]


def test_entity_scope_applies_to_rows_and_counts(app, world):
    assert names(app, world, user_key="marion") == ["BLOU", "BRIE", "DAROIN", "d'Arcy", "École"]
    assert names(app, world, user_key="marion", entity=world["west"].id) == []
    with app.app_context():
        user = db.session.get(User, world["marion"].id)
        assert ContactQuery.from_args(MultiDict()).count(user) == (5, False)


@pytest.mark.parametrize("sort,expected", [
    ("last_name", ["BLOU", "BRIE", "d'Arcy", "DAROIN", "Dupont", "École"]),
    ("-last_name", ["École", "Dupont", "DAROIN", "d'Arcy", "BRIE", "BLOU"]),
    ("first_name", ["BRIE", "DAROIN", "d'Arcy", "BLOU", "Dupont", "École"]),
    ("owner", ["BRIE", "d'Arcy", "DAROIN", "BLOU", "Dupont", "École"]),
])
def test_every_sort_key_orders_and_reverses(app, world, sort, expected):
    assert names(app, world, sort=sort) == expected


def test_sort_by_deals_counts_them(app, world):
    with app.app_context():
        for _ in range(2):
            db.session.add(Deal(title="Affaire", client_id=world["zeta"].id, contact_id=world["dupont"].id))
        db.session.add(Deal(title="Affaire", client_id=world["aprool"].id, contact_id=world["brie"].id))
        db.session.add(Opportunity(title="Piste", client_id=world["aprool"].id, contact_id=world["brie"].id))
        db.session.commit()
    assert names(app, world, sort="-deals")[:2] == ["Dupont", "BRIE"]


def test_pages_never_overlap_even_on_equal_names_and_past_the_end_shows_the_last(app, world, make):
    for _ in range(45):
        make.contact(world["aprool"], "Martin", "Jean")  # 45 identical names: only the id tells them apart
    with app.app_context():
        user = db.session.get(User, world["boss"].id)
        seen = []
        for page in (1, 2, 3):
            query = ContactQuery.from_args(MultiDict({"per_page": "20", "page": str(page)}))
            seen += [row.id for row in query.page_of_rows(user).rows]
        assert len(seen) == len(set(seen)) == 51
        past = ContactQuery.from_args(MultiDict({"page": "99", "per_page": "20"}))
        assert past.page_of_rows(user).page == 3 and len(past.page_of_rows(user).rows) == 11


def test_count_is_capped_and_exact_on_request(app, world, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    with app.app_context():
        user = db.session.get(User, world["boss"].id)
        assert ContactQuery.from_args(MultiDict()).count(user) == (3, True)
        assert ContactQuery.from_args(MultiDict({"count": "exact"})).count(user) == (6, False)


@pytest.mark.parametrize("args,attribute,expected", [
    ({"sort": "password_hash"}, "sort", "company"), ({"sort": "-;drop table"}, "sort_param", "company"),
    ({"page": "abc"}, "page", 1), ({"page": "-3"}, "page", 1), ({"page": "9" * 40}, "page", 1),
    ({"per_page": "1000000000"}, "per_page", 50), ({"per_page": "1000"}, "per_page", 200),
    ({"per_page": "7"}, "per_page", 20), ({"per_page": "100"}, "per_page", 100),
    ({"sector": "xyz"}, "sector", []), ({"sector": "0"}, "sector", []), ({"assigned": "none"}, "unassigned", True),
    ({"archived": "maybe"}, "archived", "exclude"), ({"active": "1"}, "active", "active"),
    ({"q": "a" * 10_000}, "q", "a" * 200), ({"q": "  jean\x00  dupont "}, "q", "jean dupont"),
])
def test_hostile_parameters_become_defaults(args, attribute, expected):
    assert getattr(ContactQuery.from_args(MultiDict(args)), attribute) == expected


def test_long_search_says_it_was_shortened():
    assert ContactQuery.from_args(MultiDict({"q": "a" * 300})).notices


def test_links_reproduce_the_state(app):
    args = MultiDict([("q", "hélène"), ("sector", "3"), ("sector", "7"), ("assigned", "none"), ("assigned", "4"),
                      ("archived", "include"), ("active", "all"), ("sort", "-last_name"), ("page", "2"),
                      ("per_page", "100"), ("skill", "9")])
    with app.test_request_context():
        query = ContactQuery.from_args(args)
        again = ContactQuery.from_args(MultiDict(parse_qsl(urlsplit(query.url(page=2)).query)))
        assert again == query
        assert "page" not in dict(parse_qsl(urlsplit(query.url(sector=["3"])).query))  # a new filter: page 1
        assert ContactQuery.from_args(MultiDict(parse_qsl(urlsplit(query.sort_url("last_name")).query))).sort_param \
            == "last_name"
        assert urlsplit(query.without("sector", 3)).query.count("sector=") == 1
        cleared = ContactQuery.from_args(MultiDict(parse_qsl(urlsplit(query.clear_url()).query)))
        assert not cleared.is_filtered and cleared.per_page == 100 and cleared.sort_param == "-last_name"
