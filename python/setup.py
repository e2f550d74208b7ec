"""Builds the extension policylang._policylang with the project's CMake, for pip.

The build directory is $POLICY_BUILD_DIR when set (the tests point it at the project's build/,
where everything but the extension is already built), else build-python/ beside python/. Only
the _policylang target is built there; the engine is linked into it statically.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = pathlib.Path(os.environ.get("POLICY_BUILD_DIR") or ROOT / "build-python").resolve()
        if not (build_dir / "CMakeCache.txt").exists():
            # A new build: the interpreter pip runs under, without tests and benchmarks. (An
            # existing build directory is used as it is configured; building reconfigures it
            # when its CMake files changed.)
            subprocess.run(
                ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                 f"-DPython_EXECUTABLE={os.path.realpath(sys.executable)}", "-DPOLICY_BUILD_PYTHON=ON",
                 "-DPOLICY_BUILD_TESTS=OFF", "-DPOLICY_BUILD_BENCH=OFF"],
                check=True,
            )
        jobs = str(os.cpu_count() or 1)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_policylang", "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "policylang").glob("_policylang*.so"))
        if not built:
            raise RuntimeError(f"the build made no _policylang*.so in {build_dir / 'python' / 'policylang'}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


setup(ext_modules=[CMakeExtension("policylang._policylang")], cmdclass={"build_ext": CMakeBuild})
