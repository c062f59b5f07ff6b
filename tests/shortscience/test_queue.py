import threading

import pytest

from shortscience.queue import enqueue_in_background

pytestmark = pytest.mark.django_db


class BlockingTask:
    """A stand-in task whose in-process run waits until the test lets it finish."""

    name = "tests.blocking"

    def __init__(self):
        self.started = threading.Event()
        self.release = threading.Event()
        self.ran_with = None
        self.thread = None

    def apply(self, args):
        self.thread = threading.current_thread()
        self.started.set()
        self.release.wait(5)
        self.ran_with = args


def test_without_a_broker_the_task_runs_beside_the_request(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_EAGER_IN_THREAD = True
    task = BlockingTask()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_in_background(task, 7)
    # The caller is back while the task is still running elsewhere.
    assert task.started.wait(5)
    assert task.ran_with is None and task.thread is not threading.current_thread()
    task.release.set()
    task.thread.join(5)
    assert task.ran_with == (7,)


def test_with_the_thread_off_the_task_runs_after_commit_in_the_caller(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_EAGER_IN_THREAD = False
    ran = []

    class Task:
        name = "tests.plain"

        def apply_async(self, args, retry):
            ran.append((args, threading.current_thread()))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_in_background(Task(), 3)
    assert ran == []
    callbacks[0]()
    assert ran == [((3,), threading.current_thread())]
