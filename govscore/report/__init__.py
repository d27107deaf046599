"""What reports show: the shapes of rankings and details, and their renderers
(table, CSV, JSON, markdown).
"""
