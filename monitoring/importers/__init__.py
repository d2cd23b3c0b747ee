"""Importer of Sferum statistics exports (xlsx, xls, ods, csv): reader -> pure parser ->
database service.

``formats`` tells a file's kind by content, ``safety`` (with ``ods_safety``, ``xls_safety``,
``csv_text``) refuses hostile files before any reader opens them, ``reader`` turns a file into
raw sheets (the only module that touches openpyxl or python-calamine), ``parser`` turns raw
sheets into cleaned rows and located problems without Django, and the database layer writes
the parsed rows in one transaction.
"""
