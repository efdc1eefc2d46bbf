"""What Alembic's autogenerate compares: the models, not the search structures made by hand in migrations."""

# SQLite FTS5 table (and its shadow tables) and the PostgreSQL trigram index live in migrations only.
HAND_MADE_TABLES = ("contact_fts", "document_fts")
HAND_MADE_INDEXES = ("ix_contact_search_trgm", "ix_document_search_vector")
HAND_MADE_COLUMNS = ("search_vector",)  # document.search_vector, PostgreSQL's generated tsvector


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name and name.startswith(HAND_MADE_TABLES):
        return False
    if type_ == "index" and name in HAND_MADE_INDEXES:
        return False
    if type_ == "column" and name in HAND_MADE_COLUMNS and reflected:
        return False
    return True


def render_item(type_, obj, autogen_context):
    """Render the app's column types as the plain SQLAlchemy types they store."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False
