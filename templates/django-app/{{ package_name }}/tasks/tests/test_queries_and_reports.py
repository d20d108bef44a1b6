"""Owner scoping and the summary report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ...users.tests.factories import AdminFactory, UserFactory
from .. import queries, reports
from ..models import Status
from .factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_a_user_sees_only_their_tasks_and_an_admin_sees_all() -> None:
    alice, bob = UserFactory.create(), UserFactory.create()
    mine = TaskFactory.create(owner=alice)
    TaskFactory.create(owner=bob)

    assert list(queries.visible_tasks(alice)) == [mine]
    assert queries.visible_tasks(AdminFactory.create()).count() == 2


def test_summary_counts_statuses_overdue_and_the_last_seven_days() -> None:
    yesterday = timezone.now().date() - timedelta(days=1)
    TaskFactory.create(status=Status.TODO, due_date=yesterday)
    TaskFactory.create(status=Status.DONE, due_date=yesterday)
    TaskFactory.create(status=Status.IN_PROGRESS)

    report = reports.summary()

    assert report["tasks_by_status"] == {"todo": 1, "in_progress": 1, "done": 1}
    assert report["overdue"] == 1
    assert report["users_total"] == 3
    days = report["completed_per_day"]
    assert len(days) == 7
    assert days[-1] == {"date": timezone.now().date(), "count": 1}
