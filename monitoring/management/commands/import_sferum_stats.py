"""Import Sferum statistics exports from the command line (scripts and large files)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from monitoring import services
from monitoring.models import Upload
from monitoring.preview import preview_lines, problem_lines
from organizations.models import User


class Command(BaseCommand):
    help = (
        "Загрузить выгрузки статистики Сферум (xlsx, xls, ods или csv; формат определяется "
        "по содержимому). Печатает предпросмотр и ошибки "
        "в виде файл:лист:строка:столбец: сообщение; код выхода не 0, если из-за ошибок "
        "ничего не записано."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Только проверить.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Загрузить только корректные строки."
        )
        parser.add_argument("--user", help="Загружать от имени пользователя (в пределах его зоны).")
        parser.add_argument(
            "--move-organizations",
            action="store_true",
            help="Перенести ОО в МО, указанное в файле, если в реестре она в другом МО (без "
            "этого такие строки — ошибки). Только там, где зона загружающего (без --user — "
            "вся) охватывает оба МО.",
        )

    def handle(self, *args, files, dry_run, skip_invalid, user, move_organizations, **options):
        uploader = None
        if user:
            uploader = User.objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(f"Пользователь «{user}» не найден.")
        failed = 0
        for path in files:
            if not path.is_file():
                raise CommandError(f"Файл {path} не найден.")
            upload, problems = self.import_one(
                path,
                uploader,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                move_organizations=move_organizations,
            )
            for line in preview_lines(upload):
                self.stdout.write(line)
            for line in problem_lines(upload.file_name, problems):
                self.stderr.write(line)
            blocked = upload.errors_count and not skip_invalid
            if upload.status in (Upload.Status.REJECTED, Upload.Status.FAILED) or blocked:
                failed += 1
            self.stdout.write("")
        if failed:
            raise CommandError(f"Не загружено из-за ошибок: {failed} из {len(files)} файлов.")

    def import_one(
        self, path: Path, uploader, *, dry_run: bool, skip_invalid: bool, move_organizations: bool
    ):
        if dry_run:
            with path.open("rb") as handle:
                upload, checked = services.upload_check_dry(
                    uploaded_file=handle,
                    file_name=path.name,
                    user=uploader,
                    move_organizations=move_organizations,
                )
            return upload, checked.problems
        content = SimpleUploadedFile(path.name, path.read_bytes())
        upload = services.upload_receive(
            uploaded_file=content, user=uploader, skip_invalid=skip_invalid, inline=True
        )
        confirm = {"skip_invalid": skip_invalid, "move_organizations": move_organizations}
        if upload.status == Upload.Status.PREVIEW and not services.confirm_blocked(
            upload, **confirm
        ):
            services.upload_confirm(upload=upload, inline=True, **confirm)
            upload.refresh_from_db()
        return upload, list(upload.problems.all())
