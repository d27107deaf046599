"""The measures: the clause catalog, a root's departments and weights, validation and
scoring. Pure: nothing here opens a file.
"""
