"""factory_boy factories for the registry, shared by every test module."""

import factory

from organizations.models import (
    Membership,
    Municipality,
    Organization,
    OrgType,
    Region,
    Role,
    SchoolClass,
    User,
)

PASSWORD = "pass-word-123"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Регион {n}")
    code = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"МО {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    municipality = factory.SubFactory(MunicipalityFactory)
    sferum_id = factory.Sequence(lambda n: 900000 + n)
    short_name = factory.Sequence(lambda n: f"МБОУ «СОШ № {n}»")
    org_type = OrgType.OU


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"{n % 11 + 1}{'АБВГ'[n % 4]}{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Иванова"
    first_name = factory.Sequence(lambda n: f"Анна{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ru")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.OO_ADMIN


def person(role: str, scope, *, classes=(), **user_fields) -> User:
    """A user holding one role in one scope object (region, municipality or organisation)."""
    field = {Region: "region", Municipality: "municipality", Organization: "organization"}[
        type(scope)
    ]
    user = UserFactory(**user_fields)
    membership = MembershipFactory(user=user, role=role, **{field: scope})
    if classes:
        membership.classes.set(classes)
    return user


def plan_task(organization: Organization, code: str):
    """The organisation's task of plan item ``code``, created as opening its page creates it
    (an organisation's item tasks are made lazily, rollout.plan_sync)."""
    from rollout.models import Task
    from rollout.services import organization_tasks_ensure

    organization_tasks_ensure(organization_ids=[organization.pk])
    return Task.objects.get(organization=organization, plan_item__code=code)
