"""What govscore asks of git: who is recording, and whether the root is a repository."""

from __future__ import annotations

import getpass
import subprocess
from pathlib import Path


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=check,
        stdin=subprocess.DEVNULL,
    )


def in_repository(folder: Path) -> bool:
    try:
        return git(folder, "rev-parse", "--is-inside-work-tree", check=False).returncode == 0
    except FileNotFoundError:
        return False


def recorder(root: Path) -> str:
    """Who is recording: git's user.name, else the login name."""
    try:
        name = git(root, "config", "user.name", check=False).stdout.strip()
    except FileNotFoundError:
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def init_repository(folder: Path) -> None:
    git(folder, "init", "-q")
