"""`flask legal …`: import legal documents and propose draft questions from them."""
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.bank.services import DEFAULT_BANK, import_questions
from contest.extensions import db
from contest.clock import display_zone
from contest.database import utcnow
from contest.legal.services import LegalError, draft_sources, find_document, store_legal_text
from contest.reviews.services import follow_amendments
from questions.drafting import draft_questions
from questions.legal import parse_legal_text
from questions.legal_readers import UnreadableLegalText, read_legal_file

legal_cli = AppGroup("legal", help="Văn bản pháp luật.")


@legal_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--number", default=None, help="Số hiệu, nếu phần đầu văn bản không ghi rõ.")
def import_command(path: Path, number: str | None) -> None:
    """Import a document from .docx, .txt/.md or .pdf (with a text layer), article by article."""
    try:
        text = read_legal_file(path)
    except UnreadableLegalText as error:
        raise click.ClickException(str(error))
    legal = parse_legal_text(text)
    try:
        result = store_legal_text(legal, text, path.name, number)
    except LegalError as error:
        raise click.ClickException(str(error))
    changes = follow_amendments(result.document, legal)
    db.session.commit()
    document = result.document
    verb = "Đã nhập" if result.is_new else "Đã cập nhật"
    click.echo(f"{verb} {document.display_name}: {result.articles} điều"
               f"{', có phụ lục' if document.annex_text else ''}.")
    if changes.stored or changes.problems:
        targets = ", ".join(target.display_name for target in changes.targets)
        click.echo(f"Sửa đổi {targets}: {changes.stored} thay đổi đọc được"
                   f"{f', {changes.problems} chỉ dẫn chưa xác định được (xem trang văn bản)' if changes.problems else ''}.")
    if changes.flagged:
        click.echo(f"{changes.flagged} câu hỏi được đánh dấu cần rà soát.")


@legal_cli.command("draft-questions")
@click.argument("number")
@click.option("--bank", "bank_name", default=DEFAULT_BANK, show_default=True, help="Ngân hàng nhận câu nháp.")
@click.option("--seed", default=0, show_default=True, help="Hạt giống ngẫu nhiên (để lặp lại kết quả).")
def draft_command(number: str, bank_name: str, seed: int) -> None:
    """Propose draft questions from a stored document; they wait in the review queue."""
    document = find_document(number)
    if document is None or not document.source_text:
        raise click.ClickException(f"Chưa có văn bản {number} (hãy chạy `legal import` trước).")
    today = utcnow().astimezone(display_zone()).date()
    # From the law in force: the document's current wording, or the provisions it brings.
    drafts = [draft for source in draft_sources(document, today)
              for draft in draft_questions(source.legal, source.number, seed=seed, only=source.only)]
    report = import_questions(drafts, bank_name, status="draft")
    db.session.commit()
    click.echo(f"Đã đề xuất {report.added} câu hỏi nháp từ {document.display_name} vào “{report.bank_name}”"
               f"{f'; {len(report.duplicate_rows)} câu đã có' if report.duplicate_rows else ''}.")
