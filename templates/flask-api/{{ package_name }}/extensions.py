"""Extensions, created here without an app and bound to one in ``create_app``.

Creating them unbound lets tests build as many apps as they like (one per test), each with
its own database and rate-limit storage. Flask-Migrate, which only the command line uses, is
created with the commands (:mod:`.commands`).
https://flask.palletsprojects.com/en/stable/extensiondev/#the-extension-class-and-initialization
"""

from __future__ import annotations

from flask_cors import CORS
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .passwords import PasswordHasher
from .throttle import LoginThrottleExtension

# Named constraints let Alembic's batch mode rebuild SQLite tables and drop them later.
# https://alembic.sqlalchemy.org/en/latest/naming.html
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
cors = CORS()
password_hasher = PasswordHasher()
login_throttle = LoginThrottleExtension()
