from conftest import run_process


def test_version_runs_as_a_real_process():
    result = run_process("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("govscore, version ")
