"""The app builds from its configuration, and the health check tells whether the database answers."""
from webapp import create_app
from webapp import config as config_module
from webapp.config import Config


def test_config_reads_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.sqlite3")
    import importlib

    import webapp.config as config_module

    reloaded = importlib.reload(config_module)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == "sqlite:////tmp/elsewhere.sqlite3"
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config_module)


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    import webapp.config as config_module

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config_module, "INSTANCE", tmp_path)
    first, second = Config().SECRET_KEY, Config().SECRET_KEY
    assert len(first) >= 32 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_environment_wins(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert Config().SECRET_KEY == "from-env"


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_answers_503_without_database(tmp_path):
    config = config_module.TestConfig()
    config.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    response = create_app(config).test_client().get("/healthz")
    assert response.status_code == 503
