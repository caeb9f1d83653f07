"""The command line fails in one line: what failed, the setting, what to do; no traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.integration.cli_process import free_port, run

PASSWORD = "hunter2-not-to-be-shown"
DATABASE_COMMANDS = [("db", "upgrade"), ("db", "current"), ("audit", "verify")]


def one_clear_line(stderr: str, *words: str) -> str:
    """The failure is the last line of a short stderr, names `words`, and has no traceback."""
    lines = stderr.strip().splitlines()
    assert lines, "nothing on stderr"
    assert "Traceback" not in stderr, stderr
    assert len(lines) <= 3, stderr
    last = lines[-1]
    assert last.startswith("clientloop: "), stderr
    for word in words:
        assert word in last, stderr
    return last


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_an_unreachable_postgresql_is_one_line_and_exit_code_1(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    url = f"postgresql+asyncpg://clientloop:{PASSWORD}@127.0.0.1:{free_port()}/clientloop"

    done = run(tmp_path, *args, DATABASE_URL=url)

    assert done.returncode == 1, done.stderr
    line = one_clear_line(done.stderr, "DATABASE_URL", "cannot reach the database")
    assert PASSWORD not in done.stderr + done.stdout
    assert "check that the server is running" in line


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_a_sqlite_file_that_cannot_be_created_is_one_line_and_exit_code_2(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    # A directory that is a file: no user, root included, can create the database there.
    (tmp_path / "not-a-directory").write_text("")
    url = f"sqlite:///{tmp_path}/not-a-directory/clientloop.db"

    done = run(tmp_path, *args, DATABASE_URL=url)

    assert done.returncode == 2, done.stderr
    one_clear_line(done.stderr, "DATABASE_URL", "cannot open the SQLite database", "writ")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_a_read_only_database_directory_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "read-only"
    locked.mkdir(mode=0o555)

    done = run(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite:///{locked}/clientloop.db")

    assert done.returncode == 2, done.stderr
    one_clear_line(done.stderr, "DATABASE_URL", "cannot open the SQLite database")


def test_a_port_in_use_is_one_line_and_nothing_runs(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])

        done = run(
            tmp_path, "serve", "--host", "127.0.0.1", "--port", port,
            DATABASE_URL=f"sqlite:///{tmp_path}/clientloop.db",
            CLIENTLOOP_SCHEDULER_TICK_SECONDS="1",
        )  # fmt: skip

    assert done.returncode == 2, done.stderr
    line = one_clear_line(done.stderr, port, "already in use", "PORT")
    assert done.stderr.strip() == line, "more than the one line"
    # The scheduler never started: it starts only once the port is ours.
    assert "tick" not in done.stdout + done.stderr
    assert not (tmp_path / "clientloop.db").exists()


def test_an_unknown_revision_is_one_line_naming_it(tmp_path: Path) -> None:
    done = run(
        tmp_path, "db", "upgrade", "no-such-revision",
        DATABASE_URL=f"sqlite:///{tmp_path}/clientloop.db",
    )  # fmt: skip

    assert done.returncode == 2, done.stderr
    one_clear_line(done.stderr, "no-such-revision")


def test_the_traceback_is_kept_for_the_debug_log(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://clientloop:{PASSWORD}@127.0.0.1:{free_port()}/clientloop"

    done = run(tmp_path, "db", "current", DATABASE_URL=url, CLIENTLOOP_LOG_LEVEL="DEBUG")

    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("clientloop: cannot reach")
    assert PASSWORD not in done.stderr
