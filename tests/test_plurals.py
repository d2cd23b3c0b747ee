"""Russian plurals (sferum_portal/plurals.py): the form agrees with the number."""

import pytest

from sferum_portal.plurals import plural_ru

FORMS = ("организация", "организации", "организаций")


@pytest.mark.parametrize(
    ("number", "form"),
    [
        (0, "организаций"),
        (1, "организация"),
        (2, "организации"),
        (4, "организации"),
        (5, "организаций"),
        (11, "организаций"),
        (12, "организаций"),
        (14, "организаций"),
        (21, "организация"),
        (22, "организации"),
        (111, "организаций"),
        (101, "организация"),
    ],
)
def test_the_form_agrees_with_the_number(number, form):
    assert plural_ru(number, *FORMS) == form
