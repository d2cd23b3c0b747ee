"""Demo registry: the Komi Republic with three municipalities, about forty organisations of
every type, their classes, and the demo users of the README (password ``demo12345``).

Only the seed_demo command calls this, and it refuses to run on a production configuration.
"""

import itertools

from django.db import transaction

from .models import (
    Membership,
    Municipality,
    Organization,
    OrgType,
    Region,
    Role,
    SchoolClass,
    User,
    class_grade,
)

DEMO_PASSWORD = "demo12345"

T = OrgType
MUNICIPALITIES: dict[str, list[tuple[str, str]]] = {
    "Княжпогостский": [
        ("МБОУ «СОШ № 1» г. Емвы", T.OU),
        ("МБОУ «СОШ № 2» г. Емвы", T.OU),
        ("МБОУ «СОШ» пгт Синдор", T.OU),
        ("МБОУ «СОШ» с. Серёгово", T.OU),
        ("МБОУ «ООШ» с. Чиньяворык", T.OU),
        ("МБОУ «ООШ» пст Тракт", T.OU),
        ("МБДОУ «Детский сад № 1» г. Емвы", T.DOU),
        ("МБДОУ «Детский сад № 6» г. Емвы", T.DOU),
        ("МБДОУ «Детский сад» пгт Синдор", T.DOU),
        ("МБУДО «Дом детского творчества» г. Емвы", T.UDO),
        ("МБУДО «ДЮСШ» г. Емвы", T.UDO),
        ("ГПОУ «Княжпогостский политехнический техникум»", T.SPO),
        ("Управление образования АМР «Княжпогостский»", T.OUO),
    ],
    "Сыктывкар": [
        ("МАОУ «СОШ № 1» г. Сыктывкара", T.OU),
        ("МАОУ «СОШ № 4» г. Сыктывкара", T.OU),
        ("МАОУ «СОШ № 12» г. Сыктывкара", T.OU),
        ("МАОУ «Гимназия № 1» г. Сыктывкара", T.OU),
        ("МАОУ «Лицей № 1» г. Сыктывкара", T.OU),
        ("МАДОУ «Детский сад № 3» г. Сыктывкара", T.DOU),
        ("МАДОУ «Детский сад № 15» г. Сыктывкара", T.DOU),
        ("МАДОУ «Детский сад № 55» г. Сыктывкара", T.DOU),
        ("МАУДО «Дом детского творчества» г. Сыктывкара", T.UDO),
        ("МАУДО «Детско-юношеский центр спорта» г. Сыктывкара", T.UDO),
        ("ГПОУ «Сыктывкарский политехнический техникум»", T.SPO),
        ("ГПОУ «Сыктывкарский гуманитарно-педагогический колледж»", T.SPO),
        ("Управление образования администрации МО ГО «Сыктывкар»", T.OUO),
        ("ЧУ «Центр развития ребёнка»", T.OTHER),
    ],
    "Ухта": [
        ("МОУ «СОШ № 3» г. Ухты", T.OU),
        ("МОУ «СОШ № 9» г. Ухты", T.OU),
        ("МОУ «Лицей № 1» г. Ухты", T.OU),
        ("МОУ «Гимназия № 2» г. Ухты", T.OU),
        ("МОУ «ООШ» пгт Шудаяг", T.OU),
        ("МДОУ «Детский сад № 10» г. Ухты", T.DOU),
        ("МДОУ «Детский сад № 22» г. Ухты", T.DOU),
        ("МДОУ «Детский сад № 48» г. Ухты", T.DOU),
        ("МУДО «Центр детского творчества» г. Ухты", T.UDO),
        ("МУДО «ДЮСШ № 1» г. Ухты", T.UDO),
        ("ГПОУ «Ухтинский горно-политехнический колледж»", T.SPO),
        ("МУ «Управление образования» администрации МОГО «Ухта»", T.OUO),
        ("МОУ «СОШ № 5» г. Ухты", T.OU),
    ],
}

GROUPS = {
    T.DOU: ["Младшая группа «Солнышко»", "Средняя группа «Радуга»", "Старшая группа «Звёздочки»"],
    T.UDO: ["Объединение «Робототехника»", "Объединение «Юный художник»"],
    T.SPO: ["ТМ-21", "ЭС-22", "ПК-23", "ПД-24"],
}

SURNAMES = [
    "Иванова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Васильева",
    "Петрова",
    "Соколова",
    "Михайлова",
    "Новикова",
    "Федорова",
    "Морозова",
    "Волкова",
    "Алексеева",
    "Лебедева",
    "Семенова",
    "Егорова",
    "Павлова",
    "Козлова",
    "Степанова",
    "Николаева",
    "Орлова",
]
NAMES = [
    ("Анна", "Сергеевна"),
    ("Елена", "Викторовна"),
    ("Ольга", "Николаевна"),
    ("Татьяна", "Ивановна"),
    ("Мария", "Александровна"),
    ("Наталья", "Петровна"),
]

# (username, last, first, patronymic, role)
DEMO_USERS = [
    ("coordinator", "Канева", "Ирина", "Владимировна", Role.REGIONAL_COORDINATOR),
    ("district", "Ульянова", "Светлана", "Геннадьевна", Role.DISTRICT_LEAD),
    ("methodologist", "Попов", "Андрей", "Ильич", Role.METHODOLOGIST),
    ("oo_admin", "Игнатова", "Мария", "Степановна", Role.OO_ADMIN),
    ("director", "Туркина", "Галина", "Ивановна", Role.OO_HEAD),
    ("teacher", "Рочева", "Надежда", "Андреевна", Role.CLASS_TEACHER),
]
DEMO_SCHOOL = "МБОУ «СОШ № 1» г. Емвы"


def _classes_for(org_type: str) -> list[str]:
    if org_type == T.OU:
        return [f"{grade}{letter}" for grade in range(1, 12) for letter in "АБ"][:16]
    return GROUPS.get(org_type, [])


def _person(username: str, last: str, first: str, patronymic: str, usable: bool) -> User:
    user = User(
        username=username,
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        email=f"{username}@demo.sferum-portal.local",
        phone="+7 (8213) 00-00-00",
    )
    if usable:
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    return user


@transaction.atomic
def demo_registry_create() -> dict[str, User]:
    """Create the demo region, its registry and demo users; return the demo users by login."""
    region = Region.objects.create(name="Республика Коми", code="11", timezone="Europe/Moscow")
    sferum_ids = itertools.count(700001)
    organizations: dict[str, Organization] = {}
    first_municipality = None
    for mo_name, orgs in MUNICIPALITIES.items():
        municipality = Municipality.objects.create(region=region, name=mo_name)
        first_municipality = first_municipality or municipality
        for name, org_type in orgs:
            sid = next(sferum_ids)
            organizations[name] = Organization.objects.create(
                municipality=municipality,
                sferum_id=sid,
                short_name=name,
                org_type=org_type,
                link=f"https://sferum.ru/?p=dashboard&schoolId={sid}",
            )
    SchoolClass.objects.bulk_create(
        [
            SchoolClass(organization=org, name=name, grade=class_grade(name))
            for org in organizations.values()
            for name in _classes_for(org.org_type)
        ]
    )

    # Named Sferum admins and heads for most organisations (without portal passwords), so the
    # district sees a realistic registry; the demo logins come after.
    people = itertools.cycle(itertools.product(SURNAMES, NAMES))
    staff = []
    for i, org in enumerate(organizations.values()):
        if org.short_name == DEMO_SCHOOL or org.org_type == T.OUO or i % 5 == 4:
            continue
        for role in (Role.OO_ADMIN, Role.OO_HEAD):
            last, (first, patronymic) = next(people)
            user = _person(f"{role}-{org.sferum_id}", last, first, patronymic, usable=False)
            staff.append((user, role, org))
    User.objects.bulk_create([u for u, _, _ in staff])
    Membership.objects.bulk_create(
        [Membership(user=u, role=role, organization=org) for u, role, org in staff]
    )

    school = organizations[DEMO_SCHOOL]
    scopes = {
        Role.REGIONAL_COORDINATOR: {"region": region},
        Role.DISTRICT_LEAD: {"municipality": first_municipality},
        Role.METHODOLOGIST: {"region": region},
        Role.OO_ADMIN: {"organization": school},
        Role.OO_HEAD: {"organization": school},
        Role.CLASS_TEACHER: {"organization": school},
    }
    demo_users = {}
    for username, last, first, patronymic, role in DEMO_USERS:
        user = _person(username, last, first, patronymic, usable=True)
        user.save()
        membership = Membership.objects.create(
            user=user, role=role, had_vkm_profile=role == Role.CLASS_TEACHER, **scopes[role]
        )
        if role == Role.CLASS_TEACHER:
            membership.classes.set(school.classes.filter(name="5А"))
        demo_users[username] = user
    # One name field: greeted as «Добро пожаловать, Администратор портала», not «…, Портала».
    admin = _person("admin", "", "Администратор портала", "", usable=True)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    demo_users["admin"] = admin
    return demo_users


DEMO_LOGIN_HELP = [
    ("coordinator", "региональный координатор, Республика Коми"),
    ("district", "районный ответственный, Княжпогостский"),
    ("methodologist", "методист региона: просмотр данных региона и загрузка статистики"),
    ("oo_admin", f"администратор Сферум в ОО, {DEMO_SCHOOL}"),
    ("director", f"руководитель ОО, {DEMO_SCHOOL}"),
    ("teacher", "классный руководитель 5А (был профиль в ВКМ)"),
    ("admin", "администратор портала (Django admin)"),
]
