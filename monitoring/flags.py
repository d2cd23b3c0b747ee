"""What each data flag means and what to do about it, in the words of the regional FAQ for
Sferum admins (seed 003: questions 2, 6 and 11)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlagHelp:
    title: str
    explanation: str
    advice: str


STALE_ACCOUNTS = (
    "Проверьте, что к организации прикреплены только её пользователи: удалите из организации "
    "в личном кабинете Сферум устаревшие аккаунты (уволенных сотрудников, выбывших учеников, "
    "дубли). До 1 ноября исключать пользователя нужно и в личном кабинете Сферум в МАХ, и в "
    "личном кабинете Сферума в VK Мессенджере. Статистику по организации может скачать "
    "администратор Сферум: prof.sferum.ru/statistika_max."
)
NOT_COUNTED = (
    "Чтобы активность шла в зачёт: 1) все участники чатов прикреплены к организации (проверяет "
    "администратор в личном кабинете Сферум); 2) все участники перешли в МАХ — в разделе «Найти "
    "контакт» активная кнопка «Пригласить» означает, что человек ещё не перешёл и не попадает в "
    "статистику; 3) создатель чата прикреплён к организации с ролью сотрудник/учитель. Родители "
    "должны связать профили Сферум и ЭЖД. Вопросы — администратору Сферум в ОО, в чат поддержки "
    "max.ru/sferum_help или муниципальному/региональному координатору."
)

FLAGS: dict[str, FlagHelp] = {
    "registered_above_total": FlagHelp(
        "Зарегистрировано больше, чем по форме ОО-1",
        "Число зарегистрированных в Сферум больше, чем учителей, учеников или родителей в "
        "школе по данным ОО-1 (они переданы централизованно Минпросвещения). Процент "
        "регистрации выше 100 % показывается как есть.",
        STALE_ACCOUNTS,
    ),
    "rate_above_100": FlagHelp(
        "Показатель выше 100 %",
        "Зарегистрированных или активных больше, чем людей в организации по форме ОО-1: "
        "скорее всего, к организации прикреплены лишние аккаунты.",
        STALE_ACCOUNTS,
    ),
    "active_above_registered": FlagHelp(
        "Активных больше, чем зарегистрированных",
        "Так бывает и в выгрузке Сферум (в образце — 54 активных родителя при 20 "
        "зарегистрированных): в личном кабинете видны и аккаунты, которые ещё не перешли в МАХ.",
        "Сверьте списки в разделе «Найти контакт» личного кабинета Сферум; строку не "
        "отбрасываем, но к цифрам стоит отнестись осторожно.",
    ),
    "people_total_mismatch": FlagHelp(
        "Итог по людям не сходится",
        "«Учителей, учеников и родителей в школе всего» не равно сумме учителей, учеников и "
        "родителей в школе.",
        "Данные ОО-1 переданы централизованно; если они неверны, сообщите муниципальному или "
        "региональному координатору.",
    ),
    "registrations_total_mismatch": FlagHelp(
        "Итог регистраций не сходится",
        "«Регистраций в школе всего» не равно сумме зарегистрированных учителей, учеников и "
        "родителей.",
        "Сверьте с выгрузкой по организации в личном кабинете Сферум.",
    ),
    "no_staff_data": FlagHelp(
        "Нет данных об активности сотрудников",
        "В выгрузке за эту неделю нет столбца активных сотрудников: показатель 75 % не "
        "рассчитан (это «нет данных», а не ноль).",
        "Загрузите выгрузку, в которой есть столбец «Активные сотрудники» (или «Активные "
        "учителя»).",
    ),
    "low_staff_activity": FlagHelp(
        "Активность сотрудников ниже 75 %",
        "Активный педагог/сотрудник — не менее одного отправленного сообщения за последние 7 "
        "дней на дату формирования отчёта.",
        NOT_COUNTED,
    ),
    "low_students_parents_activity": FlagHelp(
        "Активность обучающихся и родителей ниже 30 %",
        "Активный ученик/родитель — не менее одного взаимодействия со Сферум (открыл "
        "приложение, прочитал сообщение) за последние 7 дней на дату формирования отчёта.",
        NOT_COUNTED,
    ),
}


def flags_for(value) -> list[tuple[str, FlagHelp]]:
    """The flags of an organisation's weekly value, with their help, in a stable order."""
    if value is None:
        return []
    codes = list(value.flags or [])
    if value.rate_above_100 and "registered_above_total" not in codes:
        codes.append("rate_above_100")
    if value.staff_activity_num is None:
        codes.append("no_staff_data")
    if value.staff_stage2_met is False:
        codes.append("low_staff_activity")
    if value.students_parents_stage2_met is False:
        codes.append("low_students_parents_activity")
    return [(code, FLAGS[code]) for code in dict.fromkeys(codes) if code in FLAGS]


@dataclass(frozen=True)
class FlagGroup:
    """Flags that share one piece of advice: the dashboard says the advice once."""

    flags: list[FlagHelp]
    advice: str


def flags_grouped(flags: list[tuple[str, FlagHelp]]) -> list[FlagGroup]:
    """``flags_for``'s list with the flags of the same advice together, in first-seen order."""
    groups: dict[str, list[FlagHelp]] = {}
    for _code, help_ in flags:
        groups.setdefault(help_.advice, []).append(help_)
    return [FlagGroup(items, advice) for advice, items in groups.items()]
