"""Persistence: SQLAlchemy 2 typed ORM, Alembic migrations, and the session factory."""
