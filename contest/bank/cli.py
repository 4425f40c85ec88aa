"""`flask questions …`: load question banks from files."""
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.bank.services import DEFAULT_BANK, import_questions
from contest.extensions import db
from questions.records import ImportFailed
from questions.spreadsheet import read_xlsx

questions_cli = AppGroup("questions", help="Ngân hàng câu hỏi: nhập từ tệp.")

READERS = {".xlsx": read_xlsx}


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", default=DEFAULT_BANK, show_default=True, help="Tên ngân hàng.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không lưu.")
def import_command(path: Path, bank_name: str, dry_run: bool) -> None:
    """Import a question bank; a file with any error imports nothing."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise click.ClickException(
            f"Định dạng {path.suffix or '(không có đuôi)'} chưa được hỗ trợ; dùng: {', '.join(READERS)}")
    try:
        records = reader(path)
    except ImportFailed as failure:
        click.echo(f"Không nhập được {path.name}: {len(failure.issues)} lỗi, chưa lưu câu hỏi nào.", err=True)
        for issue in failure.issues:
            click.echo(f"  {issue}", err=True)
        raise SystemExit(1)
    report = import_questions(records, bank_name)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    click.echo(f"{verb} {report.added} câu hỏi vào ngân hàng “{report.bank_name}”.")
    if report.duplicate_rows:
        rows = ", ".join(str(row) for row in report.duplicate_rows)
        click.echo(f"Bỏ qua {len(report.duplicate_rows)} câu đã có trong ngân hàng (dòng {rows}).")
    if report.documents_created:
        click.echo(f"Văn bản mới được ghi nhận: {', '.join(report.documents_created)}.")
