"""`flask questions …`: load and export question banks."""
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.bank.queries import EXPORT_FORMATS, question_records
from contest.bank.services import DEFAULT_BANK, import_questions
from contest.extensions import db
from questions.formats import read_bank, write_bank
from questions.records import ImportFailed

questions_cli = AppGroup("questions", help="Ngân hàng câu hỏi: nhập và xuất.")


def report_failure(name: str, failure: ImportFailed) -> None:
    """Print every fault of a refused file, then exit non-zero."""
    click.echo(f"Không nhập được {name}: {len(failure.issues)} lỗi, chưa lưu gì.", err=True)
    for issue in failure.issues:
        click.echo(f"  {issue}", err=True)
    raise SystemExit(1)


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_name", default=DEFAULT_BANK, show_default=True, help="Tên ngân hàng.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không lưu.")
def import_command(path: Path, bank_name: str, dry_run: bool) -> None:
    """Import a bank (format from the extension); a file with any error imports nothing."""
    try:
        records = read_bank(path)
    except ImportFailed as failure:
        report_failure(path.name, failure)
    report = import_questions(records, bank_name)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    click.echo(f"{verb} {report.added} câu hỏi vào ngân hàng “{report.bank_name}”.")
    if report.duplicate_rows:
        rows = ", ".join(str(row) for row in report.duplicate_rows)
        click.echo(f"Bỏ qua {len(report.duplicate_rows)} câu đã có trong ngân hàng (dòng/câu {rows}).")
    if report.documents_created:
        click.echo(f"Văn bản mới được ghi nhận: {', '.join(report.documents_created)}.")


@questions_cli.command("export")
@click.option("--bank", "bank_name", default=None, help="Tên ngân hàng (bỏ trống: mọi ngân hàng).")
@click.option("--format", "format_name", type=click.Choice(sorted(EXPORT_FORMATS)), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(bank_name: str | None, format_name: str, output: Path) -> None:
    """Export current questions (every status) in an exchange format."""
    records = question_records(bank_name)
    write_bank(records, output, format_name)
    click.echo(f"Đã xuất {len(records)} câu hỏi ra {output}.")
