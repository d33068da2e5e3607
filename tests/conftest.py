"""Suite-wide safety net: no test may run forever.

Each wait in the tests already has its own bound (socket timeouts, subprocess
timeouts, deadlines in loops).  This backstop turns a bound that was forgotten into a
failing test instead of a CI run that stops at its own time limit with no report.
It uses SIGALRM, so it needs no plugin; mark a test `@pytest.mark.deadline(300)` to
give it longer.
"""

import os
import signal

import pytest

DEFAULT_DEADLINE_SECONDS = 120


class TestDeadlineExceeded(Exception):
    """Raised inside a test that ran past its deadline."""

    __test__ = False  # not a test class, despite the name


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    marker = item.get_closest_marker("deadline")
    seconds = int(marker.args[0]) if marker else DEFAULT_DEADLINE_SECONDS

    def on_alarm(signum, frame):
        raise TestDeadlineExceeded(f"{item.nodeid} ran longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        return (yield)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Keep any developer AWS configuration away from boto3 and the AWS CLI.
_ISOLATED_ENV = {
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="session", autouse=True)
def _isolated_aws_env():
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith("AWS_"):
                mp.delenv(key)
        for key, value in _ISOLATED_ENV.items():
            mp.setenv(key, value)
        yield
