"""Password storage and length rules of this FastAPI project (SECURITY.md 1, 2)."""

import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import MIN_ARGON2_MEMORY_KIB, MIN_ARGON2_TIME_COST, Settings
from app.core.security import PasswordService
from app.models import User
from tests.conftest import PROJECT_ROOT, CreateUser

API = "/api/v1"
PASSWORD = "a-long-enough-passphrase"
ARGON2_MIB = MIN_ARGON2_MEMORY_KIB / 1024
# Eight logins at once in a fresh interpreter, with the production argon2 parameters; prints
# how far the process's peak memory (VmHWM) rose above its size before them, in MiB.
LOGIN_BURST = """
import sys
import threading

from app.core.config import Settings
from app.core.security import PasswordService


def mib(field):
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


settings = Settings(_env_file=None, max_concurrent_hashes=int(sys.argv[1]))
passwords = PasswordService.from_settings(settings)
start = threading.Barrier(8)


def log_in():
    start.wait()
    passwords.hash("a-long-enough-passphrase")


threads = [threading.Thread(target=log_in) for _ in range(8)]
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the peak starts again from the current size
before = mib("VmRSS")
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(mib("VmHWM") - before)
"""
linux_only = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="reads peak memory from Linux /proc"
)


def stored_hash(sessions: sessionmaker[Session], email: str) -> str:
    with sessions() as session:
        return session.scalars(select(User.password_hash).where(User.email == email)).one()


@pytest.mark.asvs("2.4.1")
def test_default_settings_hash_with_argon2id_at_the_owasp_minimum() -> None:
    settings = Settings(_env_file=None, environment="development")

    encoded = PasswordService.from_settings(settings).hash(PASSWORD)

    parameters = extract_parameters(encoded)
    assert encoded.startswith("$argon2id$")
    assert parameters.type is Type.ID
    assert parameters.memory_cost >= MIN_ARGON2_MEMORY_KIB >= 19_456
    assert parameters.time_cost >= MIN_ARGON2_TIME_COST >= 2
    assert parameters.parallelism == 1


@pytest.mark.asvs("2.4.1")
def test_registration_stores_an_argon2id_hash_with_the_configured_parameters(
    app_client: TestClient, db_sessions: sessionmaker[Session], test_settings: Settings
) -> None:
    app_client.post(
        f"{API}/auth/register",
        json={"email": "hash@example.com", "password": PASSWORD, "full_name": ""},
    )

    encoded = stored_hash(db_sessions, "hash@example.com")

    parameters = extract_parameters(encoded)
    assert encoded.startswith("$argon2id$")
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        test_settings.argon2_memory_kib,
        test_settings.argon2_time_cost,
        test_settings.argon2_parallelism,
    )


@pytest.mark.asvs("2.4.1")
def test_login_upgrades_a_hash_made_with_older_parameters(
    app_client: TestClient, db_sessions: sessionmaker[Session]
) -> None:
    old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=2, type=Type.ID)
    with db_sessions() as session:
        session.add(User(email="old@example.com", password_hash=old.hash(PASSWORD), role="user"))
        session.commit()

    response = app_client.post(
        f"{API}/auth/login", json={"email": "old@example.com", "password": PASSWORD}
    )

    assert response.status_code == HTTPStatus.OK
    assert extract_parameters(stored_hash(db_sessions, "old@example.com")).parallelism == 1


@pytest.mark.asvs("2.1.3")
def test_an_80_character_password_is_not_accepted_by_its_first_72(
    app_client: TestClient, create_user: CreateUser
) -> None:
    password = "0123456789" * 8
    create_user("long@example.com", password)

    full = app_client.post(
        f"{API}/auth/login", json={"email": "long@example.com", "password": password}
    )
    truncated = app_client.post(
        f"{API}/auth/login", json={"email": "long@example.com", "password": password[:72]}
    )

    assert full.status_code == HTTPStatus.OK
    assert truncated.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.asvs("2.4.1")
def test_production_settings_refuse_argon2_below_the_minimum() -> None:
    with pytest.raises(ValueError, match="argon2"):
        Settings(
            _env_file=None,
            environment="production",
            secret_key=SecretStr("s" * 64),
            argon2_memory_kib=8,
        )


def peak_rise_mib(max_concurrent: int) -> float:
    """How much memory a burst of eight logins adds at its peak (LOGIN_BURST)."""
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", LOGIN_BURST, str(max_concurrent)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


@pytest.mark.long
@linux_only
def test_a_burst_of_logins_holds_one_argon2_block_at_a_time_by_default() -> None:
    assert peak_rise_mib(max_concurrent=1) < 2 * ARGON2_MIB


@pytest.mark.long
@linux_only
def test_max_concurrent_hashes_lets_that_many_run_at_once() -> None:
    assert peak_rise_mib(max_concurrent=4) > 2 * ARGON2_MIB
