"""The ledger's files: text format and fast reader, loading a root, the cache and cold
tally, locked appends, recording, CSV import, git, worker processes.

Sits above rules/ (it validates and sums what it reads) and below report/ and cli/.
"""
