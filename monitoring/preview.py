"""The preview of a checked upload as plain lines: the command prints them, tests read them."""

from .importers.problems import Problem, organization_label
from .models import Upload

STAFF_COLUMN_MISSING = (
    "В файле нет столбца активных сотрудников («Активные учителя», «Активные сотрудники» "
    "или «Активные педагоги»)"
)


def preview_lines(upload: Upload) -> list[str]:
    summary = upload.summary or {}
    lines = [
        f"Файл: {upload.file_name} · {upload.get_status_display()}",
        f"Даты: {', '.join(upload.dates) or '—'}",
        f"Строк с данными: {upload.rows_total}; корректных: {summary.get('rows_valid', 0)}; "
        f"с ошибками: {summary.get('rows_rejected', 0)}; "
        f"вне зоны ответственности: {upload.rows_out_of_scope}",
    ]
    if summary.get("per_municipality"):
        lines.append("ОО по МО:")
        lines += [f"  {name}: {count}" for name, count in summary["per_municipality"]]
    if summary.get("new_municipalities"):
        lines.append(f"Новые МО: {', '.join(summary['new_municipalities'])}")
    if summary.get("new_organizations_total"):
        lines.append(f"Новых ОО: {summary['new_organizations_total']}")
    if summary.get("renamed_total"):
        lines.append(f"Переименованных ОО: {summary['renamed_total']}")
        lines += [f"  {r['sferum_id']}: «{r['old']}» → «{r['new']}»" for r in summary["renamed"]]
    if summary.get("moves_total"):
        done = summary.get("moves_confirmed")
        lines.append(
            f"{'Перенесённые' if done else 'Предложенные переносы'} ОО в другое МО: "
            f"{summary['moves_total']}"
        )
        lines += [
            f"  {'' if done else 'перенести '}ОО {m['sferum_id']} «{m['name']}» из МО «{m['old']}» "
            f"в МО «{m['new']}»{' (новое МО)' if m.get('new_municipality') else ''}"
            for m in summary["moves"]
        ]
    if summary.get("staff_activity_missing"):
        lines.append(
            f"{STAFF_COLUMN_MISSING}: активность сотрудников за "
            f"{', '.join(summary['staff_activity_missing'])} будет «нет данных»"
        )
    if summary.get("unknown_columns"):
        lines.append(f"Неизвестные столбцы (сохранены): {', '.join(summary['unknown_columns'])}")
    if upload.status == Upload.Status.DONE:
        lines.append(
            f"Записано: {upload.rows_written}; без изменений: {upload.rows_unchanged}; "
            f"пропущено: {upload.rows_skipped}"
        )
    if upload.error_message:
        lines.append(upload.error_message)
    return lines


def problem_lines(file_name: str, problems) -> list[str]:
    """``file:sheet:row:column: message`` for every problem (parser Problems or stored
    UploadProblems), errors first; a row's problem ends with its organisation («— ОО «…»,
    ID Сферум …»), so that a line read alone says which school."""
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    return [
        f"{file_name}:{p.sheet or ''}:{p.row or ''}:{p.column or ''}: "
        f"{'ошибка' if p.severity == 'error' else 'предупреждение'}: {p.message}"
        + _organization_tail(p)
        for p in ordered
    ]


def _organization_tail(problem) -> str:
    if isinstance(problem, Problem):
        label = organization_label(problem.organization, problem.sferum_id)
    else:
        label = problem.organization_label
    return f" — {label}" if label else ""
