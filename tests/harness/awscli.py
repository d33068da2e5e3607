"""Run the real AWS CLI (v1, from the test venv) against Landbridge, as a user would.

The CLI is the first user of Landbridge, so acceptance checks go through it rather than
through hand-built requests.  It runs with throwaway credentials, no config files and no
retries, so a failure shows the server's first answer instead of a retry storm.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

CLI_TIMEOUT = 120.0  # a CLI cold start loads botocore models: give it room, but a bound

_ERROR_RE = re.compile(r"An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \([^)]*\))?: ?(.*)", re.S)


class AwsCliError(Exception):
    """The CLI exited non-zero; `code` is the AWS error code it printed, when it printed one."""

    def __init__(self, args: list[str], returncode: int, stdout: str, stderr: str):
        self.argv = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        m = _ERROR_RE.search(stderr)
        self.code = m.group(1) if m else None
        self.operation = m.group(2) if m else None
        self.message = m.group(3).strip() if m else stderr.strip()
        super().__init__(f"aws {' '.join(args)} exited {returncode}: {stderr.strip()[-2000:]}")


def aws_cli_path() -> Path:
    """The `aws` script installed next to the Python running the tests."""
    return Path(sys.executable).parent / "aws"


def cli_env(extra: dict | None = None) -> dict:
    """A clean environment: test credentials, us-east-1, no config files, no retries.

    Every AWS_* variable from the caller's environment is dropped first, so a developer's
    own profile or endpoint settings cannot leak into the run.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
        AWS_RETRY_MODE="standard",
        AWS_PAGER="",
    )
    if extra:
        env.update(extra)
    return env


def run_aws_text(
    *args: str,
    endpoint_url: str | None,
    env: dict | None = None,
    timeout: float = CLI_TIMEOUT,
    check: bool = True,
    output_json: bool = False,
) -> subprocess.CompletedProcess:
    """Run `aws [--endpoint-url URL] ARGS...`; return the finished process (text stdout).

    For commands that print text (`aws s3 ...`). With `endpoint_url=None` no flag is
    passed (e.g. to test AWS_ENDPOINT_URL from `env`). `check=True` raises AwsCliError
    on a non-zero exit.
    """
    cli = aws_cli_path()
    if not cli.is_file():
        raise FileNotFoundError(f"AWS CLI not found at {cli}; install tests/conformance/requirements.txt into this venv")
    argv = [str(a) for a in args]
    flags = ["--cli-connect-timeout", "10", "--cli-read-timeout", "60"]
    if output_json:
        flags = ["--output", "json", *flags]
    if endpoint_url is not None:
        flags = ["--endpoint-url", endpoint_url, *flags]
    result = subprocess.run(
        [sys.executable, str(cli), *flags, *argv],
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if check and result.returncode != 0:
        raise AwsCliError(argv, result.returncode, result.stdout, result.stderr)
    return result


def run_aws(*args: str, endpoint_url: str | None, env: dict | None = None, timeout: float = CLI_TIMEOUT):
    """Run `aws [--endpoint-url URL] --output json ARGS...`; return parsed JSON stdout.

    With `endpoint_url=None` no flag is passed (e.g. to test AWS_ENDPOINT_URL from `env`).
    Raises AwsCliError on a non-zero exit.
    """
    result = run_aws_text(*args, endpoint_url=endpoint_url, env=env, timeout=timeout, output_json=True)
    out = result.stdout.strip()
    return json.loads(out) if out else {}
