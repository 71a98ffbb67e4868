"""Alembic migrations of the FlashTutor database; run them with ``flashtutor db upgrade``."""
