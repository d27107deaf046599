"""Repair: cut back the batches an interrupted write left torn at the end of a month file.

A torn batch (see govscore.ledger.batches) never counts, and govscore will not append to
its month until it is gone. When it stands at the end of its file it is what a killed
or crashed writer left: nothing after it, nothing of it reported as recorded. Cutting
the file back to the start of that batch puts the file as it was before the write, so
the same keyed import can run again and books the whole batch once.

A torn batch with lines after it is not a cut-off write but an edit; repair shows it and
leaves it to a person (git shows what it was). A torn batch HEAD holds committed (a
backup's `git commit -a` took in the interrupted write, review BM F3) is cut as well, and
the cut is for the clerk to commit, if it never counted: no commit read its lines as
entries, as the audit measures it (audit.keeps_head), so the audit takes the cut in. One
whose lines counted before (committed entries a merge put a begin line above, review BJ
F4; a whole batch whose end was changed since) is an edit, and never cut.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from govscore.errors import DataError, GovscoreError, Problem
from govscore.i18n import _, os_reason
from govscore.ledger.audit import as_committed, keeps_head
from govscore.ledger.batches import Torn, cut_point, torn_batches
from govscore.ledger.gitops import GitError, in_repository, show_file
from govscore.ledger.loader import (
    LEDGER_DIR,
    WorkTree,
    ledger_file_in_place,
    ledger_names,
    read_ledger_file,
)
from govscore.ledger.text import as_read, ledger_text, line_offset, string_lines
from govscore.ledger.writer import ledger_a_file_error, ledger_lock, open_ledger_file

_ID = re.compile(r'^id = "([^"\\\n]*)"', re.MULTILINE)


@dataclass(frozen=True)
class Cut:
    """One torn batch of one file: what repair would cut, and whether it may."""

    file: str  # ledger/YYYY-MM.toml
    month: str
    torn: Torn
    size: int  # the file's bytes now
    keep: int  # bytes kept: the file is cut back to this size
    ids: tuple[str, ...]  # ids of the entries (whole or not) in the cut lines
    created: bool  # nothing but its head line is kept: the torn write made it, it goes
    committed: bool = False  # HEAD holds lines it would cut: the cut is to be committed
    counted: bool = False  # and some of them counted before: an edit, not a write cut off
    stopped: bool = False  # or may have: the history stops (a shallow clone) before it tells

    @property
    def cuttable(self) -> bool:
        return self.torn.at_end and not self.counted

    def message(self, root: Path) -> str:
        """What repair and check say at the batch's first line: `govscore repair` is advised
        only for a batch repair cuts. `root`: where git is to fetch the history a shallow
        clone stops before (review BO J6: it was refused as one that may have counted)."""
        if self.stopped:
            why = _(
                "`govscore repair` does not cut it: HEAD holds its lines committed, and whether "
                "they ever counted cannot be told: the history in this clone stops before a "
                "commit that held them (a shallow clone); `git -C {root} fetch --unshallow` "
                "fetches it, then run repair again"
            )
            return self.torn.refused(why.format(root=shlex.quote(str(root))))
        if not self.counted:
            return self.torn.message(self.month)
        why = _(
            "`govscore repair` does not cut it: HEAD holds its lines committed, and they may "
            "have counted (committed lines a commit or a merge framed so, or a whole batch "
            "changed since; `govscore audit` names that commit); `git log -p {file}` shows "
            "which"
        )
        return self.torn.refused(why.format(file=self.file))


def find_cuts(root: Path, months: Collection[str] | None = None) -> list[Cut]:
    """Every torn batch of the root's TOML month files (or of the months given), in ledger
    order. A file in ledger/'s place stops it, as it stops `add`: no batch is there to cut."""
    source = WorkTree(root)
    if ledger_file_in_place(source):
        raise ledger_a_file_error(root / LEDGER_DIR)
    found, _problems = ledger_names(source)
    cuts: list[Cut] = []
    in_git = in_repository(root)
    for file_month, label in found:
        if not label.endswith(".toml") or (months is not None and file_month not in months):
            continue
        data = read_ledger_file(root, label)
        try:
            text = ledger_text(data)
        except UnicodeDecodeError:
            continue  # not UTF-8: check names it, and no batch can be told apart
        text = as_read(text)
        for torn in torn_batches(text, string_lines(text)):
            keep = line_offset(data, torn.line)
            ids = tuple(_ID.findall(text, torn.start, torn.stop))
            created = cut_point(text, torn) == 0
            first = 1 if created else torn.line  # the first line a cut would take
            committed = in_git and first <= _committed_lines(root, label)
            kept = (
                keeps_head(root, LEDGER_DIR, label, _kept(root, label, data, keep, created))
                if committed and torn.at_end
                else True
            )
            cut = Cut(
                label,
                file_month,
                torn,
                len(data),
                keep,
                ids,
                created,
                committed,
                counted=not kept,
                stopped=kept is None,
            )
            cuts.append(cut)
    return cuts


def in_repair_words(root: Path, problems: Sequence[Problem]) -> list[Problem]:
    """The problems `check` names, each torn batch's in repair's words (Cut.message): a
    batch repair will not cut is not sent to `govscore repair` (review BJ F4: a begin line
    above committed entries). Where git cannot tell, the words stand as they are."""
    prefix = f"{LEDGER_DIR}/"
    months = {
        problem.file.removeprefix(prefix).removesuffix(".toml")
        for problem in problems
        if problem.line and problem.file.startswith(prefix) and problem.file.endswith(".toml")
    }
    if not months:
        return list(problems)
    try:
        cuts = find_cuts(root, months)
    except (GitError, GovscoreError):  # git or the ledger refuses: repair says why, not check
        return list(problems)
    said = {(cut.file, cut.torn.line, cut.torn.message(cut.month)): cut for cut in cuts}
    return [
        replace(problem, message=said[where].message(root))
        if (where := (problem.file, problem.line, problem.message)) in said
        else problem
        for problem in problems
    ]


def _committed_lines(root: Path, label: str) -> int:
    """How many lines of the file HEAD holds (0: HEAD does not hold it, or there is none)."""
    held = show_file(root, "HEAD", label) or b""
    return held.count(b"\n") + (not held.endswith(b"\n") and bool(held))


def _kept(root: Path, label: str, data: bytes, keep: int, created: bool) -> str | None:
    """The file's text as a cut leaves it (None: removed), as git would commit it (a
    clone with core.autocrlf holds CRLF where HEAD holds LF: review BP F9)."""
    return None if created else as_committed(root, label, data[:keep])


def cut_back(root: Path, cuts: list[Cut]) -> list[Cut]:
    """Cut each file back to the start of its torn batch, under the ledger's lock.

    Only cuts at the end of their file are made, and only while the file is still the
    size it was when the cut was planned: a writer in between means plan again. A file
    that would keep nothing but its head line is removed: the torn write created it.
    Returns the cuts made.
    """
    done: list[Cut] = []
    with ledger_lock(root / LEDGER_DIR):
        for cut in cuts:
            if not cut.cuttable:
                continue
            path = root / cut.file
            fd = open_ledger_file(path, os.O_WRONLY)
            try:
                if os.fstat(fd).st_size != cut.size:
                    raise DataError(
                        _(
                            "{file}: changed while repair was looking at it; nothing was cut, "
                            "run `govscore repair` again"
                        ).format(file=cut.file)
                    )
                if cut.created:
                    path.unlink()
                else:
                    os.ftruncate(fd, cut.keep)
                    os.fsync(fd)
            except OSError as exc:
                raise DataError(
                    _("{file}: could not cut it back: {reason}").format(
                        file=cut.file, reason=os_reason(exc, path, writing=True)
                    )
                ) from None
            finally:
                os.close(fd)
            done.append(cut)
    return done


def repair_json(root: Path, cuts: list[Cut], done: list[Cut]) -> dict[str, Any]:
    """What `repair --format json` prints of the root: each torn batch (where, what it
    held, why it is left out, whether repair may cut it), what was cut, and whether
    anything changed."""
    return {
        "torn": [
            {
                "file": cut.file,
                "month": cut.month,
                "line": cut.torn.line,
                "last_line": cut.torn.last_line,
                "message": cut.message(root),
                "entries": list(cut.ids),
                "cuttable": cut.cuttable,
                "committed": cut.committed,
                "bytes": cut.size - cut.keep,
            }
            for cut in cuts
        ],
        "cut": [{"file": cut.file, "kept_bytes": cut.keep, "removed": cut.created} for cut in done],
        "changed": bool(done),
    }
