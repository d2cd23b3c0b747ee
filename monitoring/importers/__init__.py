"""Importer of Sferum statistics exports (xlsx): reader -> pure parser -> database service.

``reader`` turns a file into raw sheets (the only module that touches openpyxl or
python-calamine), ``parser`` turns raw sheets into cleaned rows and located problems without
Django, and the database layer writes the parsed rows in one transaction.
"""
