"""`flask agencies …`: load the agency tree from a spreadsheet."""
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.agencies.formats import read_agencies
from contest.agencies.services import import_agencies
from contest.extensions import db
from questions.records import ImportFailed

agencies_cli = AppGroup("agencies", help="Danh sách đơn vị: nhập từ tệp Excel hoặc CSV.")


@agencies_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không lưu.")
def import_command(path: Path, dry_run: bool) -> None:
    """Create or update agencies by code (.xlsx or .csv); a file with any error imports nothing.

    Columns: Mã đơn vị, Tên đơn vị, Mã đơn vị cấp trên (blank: top level), Biên chế, Khối.
    A blank headcount or group keeps the stored value.
    """
    try:
        report = import_agencies(read_agencies(path))
    except ImportFailed as failure:
        db.session.rollback()
        click.echo(f"Không nhập được {path.name}: {len(failure.issues)} lỗi, chưa lưu gì.", err=True)
        for issue in failure.issues:
            click.echo(f"  {issue}", err=True)
        raise SystemExit(1)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Sẽ" if dry_run else "Đã"
    click.echo(f"{verb} thêm {len(report.created)} đơn vị, cập nhật {len(report.updated)} đơn vị, "
               f"{report.unchanged} đơn vị không đổi.")
    if report.moved:
        click.echo(f"{verb} chuyển cấp trên của {len(report.moved)} đơn vị ({', '.join(report.moved)}): "
                   f"{report.paths_changed} đơn vị đổi vị trí trong cây, "
                   f"{report.standings_updated} kết quả thi được cập nhật theo.")
    if dry_run:
        click.echo("Chạy thử (--dry-run): chưa lưu gì.")
