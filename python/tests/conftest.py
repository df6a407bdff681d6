"""Shared fixtures: one embedded server per test module, the CLI's path."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

import hubspec

ROOT = Path(__file__).resolve().parents[2]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--hubspec-cli", default=os.environ.get("HUBSPEC_CLI", str(ROOT / "build/default/bin/hubspec")),
                     help="the hubspec executable (CTest passes the build's)")


@pytest.fixture(scope="session")
def hubspec_cli(request: pytest.FixtureRequest) -> str:
    cli = request.config.getoption("--hubspec-cli")
    if not Path(cli).is_file():
        pytest.skip(f"no hubspec CLI at {cli}")
    return cli


@pytest.fixture(scope="module")
def server() -> Iterator[hubspec.Server]:
    with hubspec.Server() as s:
        yield s


@pytest.fixture
def notebooks_dir() -> Path:
    return ROOT / "python" / "notebooks"
