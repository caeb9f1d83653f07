"""The venv runs exactly what the locks say, and pyproject.toml bounds every runtime package.

`make venv` installs requirements-dev.lock (runtime + dev, with hashes); `make lock` writes
both locks from pyproject.toml. These tests catch a venv that drifted from the lock, a lock
that no longer covers pyproject.toml (a dependency added without `make lock`), and a runtime
dependency left open to the next major.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"

# A pin starts a line: `name==version \` (the hashes follow on continuation lines).
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")
_HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")
# Operators that put a ceiling on a version ("~=" caps too: ~=1.4 means >=1.4,<2).
_CAPPING = {"<", "<=", "==", "===", "~="}


def _read_lock(path: Path) -> dict[NormalizedName, tuple[str, int]]:
    """Each locked distribution's version and how many hashes it carries."""
    pins: dict[NormalizedName, tuple[str, int]] = {}
    current: NormalizedName | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match["name"])
            assert current not in pins, f"{path.name} pins {current} twice"
            pins[current] = (match["version"], 0)
        elif current is not None and _HASH.search(line):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    assert isinstance(project, dict)
    return project


def _runtime_requirements() -> list[Requirement]:
    deps = _pyproject()["dependencies"]
    assert isinstance(deps, list)
    return [Requirement(d) for d in deps]


def _dev_requirements() -> list[Requirement]:
    extras = _pyproject()["optional-dependencies"]
    assert isinstance(extras, dict)
    return [Requirement(d) for d in extras["dev"]]


def _applies(req: Requirement) -> bool:
    return req.marker is None or req.marker.evaluate({"extra": ""})


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_every_locked_distribution_is_installed_at_the_locked_version(lock: Path) -> None:
    pins = _read_lock(lock)
    assert pins, f"{lock.name} pins nothing"
    wrong = {}
    for name, (version, _) in sorted(pins.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            wrong[name] = f"locked {version}, installed {installed}"
    assert not wrong, f"the venv differs from {lock.name} (run `make venv`): {wrong}"


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_every_pin_carries_a_hash(lock: Path) -> None:
    unhashed = [name for name, (_, hashes) in _read_lock(lock).items() if hashes == 0]
    assert not unhashed, f"{lock.name} pins without a hash: {unhashed}"


def test_both_locks_agree_on_every_runtime_package() -> None:
    runtime, dev = _read_lock(RUNTIME_LOCK), _read_lock(DEV_LOCK)
    differ = {
        name: (version, dev.get(name, ("missing", 0))[0])
        for name, (version, _) in runtime.items()
        if dev.get(name, ("missing", 0))[0] != version
    }
    assert not differ, f"requirements.lock vs requirements-dev.lock: {differ}"


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [(RUNTIME_LOCK, _runtime_requirements), (DEV_LOCK, _dev_requirements)],
    ids=["runtime", "dev"],
)
def test_the_lock_covers_pyproject(
    lock: Path, requirements: Callable[[], list[Requirement]]
) -> None:
    pins = _read_lock(lock)
    stale = []
    for req in requirements():
        if not _applies(req):
            continue
        locked = pins.get(canonicalize_name(req.name))
        if locked is None:
            stale.append(f"{req.name} is not in {lock.name}")
        elif not req.specifier.contains(locked[0], prereleases=True):
            stale.append(f"{req.name}=={locked[0]} is outside {req}")
    assert not stale, f"{lock.name} is out of date with pyproject.toml (run `make lock`): {stale}"


def test_every_runtime_dependency_has_an_upper_bound() -> None:
    open_ended = [
        str(req)
        for req in _runtime_requirements()
        if not any(spec.operator in _CAPPING for spec in req.specifier)
    ]
    assert not open_ended, f"runtime dependencies without an upper bound: {open_ended}"
