"""The Makefile finds a Python >= 3.12 by itself, or says what to install."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIND = ROOT / "scripts" / "find-python"


def run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", str(FIND)], env=env, capture_output=True, text=True, check=False
    )


def test_it_finds_a_recent_python_under_pyenv_when_path_has_only_an_old_one(tmp_path):
    # A PATH whose only python3 is 3.11, and a pyenv with 3.11 and 3.13.
    old = tmp_path / "bin"
    old.mkdir()
    (old / "python3").write_text('#!/bin/sh\nexec /bin/false "$@"\n')
    (old / "python3").chmod(0o755)
    pyenv = tmp_path / "pyenv"
    real = os.path.realpath(os.sys.executable)
    for version, target in (("3.11.7", "/bin/false"), ("3.13.0", real)):
        bindir = pyenv / "versions" / version / "bin"
        bindir.mkdir(parents=True)
        (bindir / "python3").symlink_to(target)
    result = run({"PATH": str(old), "HOME": str(tmp_path), "PYENV_ROOT": str(pyenv)})
    assert result.returncode == 0, result.stderr
    assert os.path.realpath(result.stdout.strip()) == real


def test_it_explains_what_to_install_when_there_is_no_suitable_python(tmp_path):
    result = run({"PATH": str(tmp_path), "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "No Python 3.12 or newer was found" in result.stderr
    assert "pyenv install 3.13" in result.stderr


def pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    return dict(line.split("==") for line in lines if "==" in line and not line.startswith("#"))


def test_the_runtime_lock_agrees_with_the_development_lock():
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    differ = {
        name: (v, development.get(name))
        for name, v in runtime.items()
        if development.get(name) != v
    }
    assert not differ, f"pinned differently in the two lock files: {differ}"


def test_every_direct_dependency_is_pinned_in_the_lock():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {name.lower().replace("_", "-") for name in pins("requirements.lock")}
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned with =="
        assert name.split("[")[0].lower() in runtime, f"{name} is missing from requirements.lock"
