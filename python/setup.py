"""Builds hubspec._hubspec with the project's CMake and bundles scenarios/ (the
built-in suite and its requirement catalogue) into the package.

Needs the source tree around python/ (pip >= 21.3 builds in place) and the
Debian packages of scripts/install-deps; no network. HUBSPEC_CMAKE_BUILD_DIR
reuses an existing build directory (e.g. build/default) instead of configuring
build/python-package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _check_tree() -> None:
    if not (ROOT / "CMakeLists.txt").is_file() or not (ROOT / "scenarios").is_dir():
        sys.exit(f"hubspec: {ROOT} is not the hubspec source tree; install from a checkout: pip install ./python")


class CMakeBuildExt(build_ext):
    def build_extension(self, ext: Extension) -> None:
        _check_tree()
        build_dir = Path(os.environ.get("HUBSPEC_CMAKE_BUILD_DIR", ROOT / "build" / "python-package"))
        if not (build_dir / "CMakeCache.txt").is_file():
            subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
                            "-DCMAKE_BUILD_TYPE=Release", "-DHUBSPEC_BUILD_TESTS=OFF", "-DHUBSPEC_BUILD_BENCH=OFF",
                            "-DHUBSPEC_BUILD_PYTHON=ON", f"-DPython3_EXECUTABLE={sys.executable}"], check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "hubspec_python_module"], check=True)
        built = sorted((build_dir / "python" / "hubspec").glob("_hubspec*.so"))
        if not built:
            sys.exit(f"hubspec: the build produced no _hubspec*.so in {build_dir}/python/hubspec")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


class BuildPyWithScenarios(build_py):
    def run(self) -> None:
        super().run()
        _check_tree()
        bundled = Path(self.build_lib) / "hubspec" / "scenarios"
        bundled.mkdir(parents=True, exist_ok=True)
        for f in (ROOT / "scenarios").glob("*.yaml"):
            shutil.copyfile(f, bundled / f.name)


setup(
    ext_modules=[Extension("hubspec._hubspec", sources=[])],
    cmdclass={"build_ext": CMakeBuildExt, "build_py": BuildPyWithScenarios},
)
