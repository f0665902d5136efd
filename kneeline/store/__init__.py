"""Storage: the database (SQLAlchemy 2 + Alembic) and the content-addressed files under the data directory."""
