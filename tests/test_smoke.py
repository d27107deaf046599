from pathlib import Path

from conftest import REPO, run_process, run_python


def test_version_runs_as_a_real_process():
    result = run_process("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("govscore 0.")


def test_real_processes_run_this_checkout_from_any_folder(tmp_path: Path):
    """A `govscore` package in the working folder or on PYTHONPATH (an installed copy)
    never stands in for the checkout under test."""
    decoy = tmp_path / "decoy" / "govscore"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("", encoding="utf-8")
    (decoy / "__main__.py").write_text("print('decoy')\n", encoding="utf-8")
    elsewhere = {"cwd": decoy.parent, "env": {"PYTHONPATH": str(decoy.parent)}}
    found = run_python("-c", "import govscore; print(govscore.__file__)", **elsewhere)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).resolve() == REPO / "govscore" / "__init__.py"
    version = run_process("--version", **elsewhere)
    assert (version.returncode, version.stdout.startswith("govscore 0.")) == (0, True)


def test_every_test_that_starts_python_pins_the_checkout():
    """A real process started without process_env() may import an installed govscore."""
    unpinned = [
        path.relative_to(REPO)
        for path in sorted((REPO / "tests").rglob("*.py"))
        if "sys.executable" in (text := path.read_text(encoding="utf-8"))
        and path.name != "conftest.py"
        and "process_env(" not in text
    ]
    assert unpinned == []
