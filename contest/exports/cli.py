"""`flask results …`: export a round's results."""
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.agencies.services import find_agency
from contest.exports.tables import leaderboard_table
from contest.exports.writers import format_for, table_bytes
from contest.extensions import db
from contest.rounds.models import Round

results_cli = AppGroup("results", help="Kết quả vòng thi: xuất bảng xếp hạng.")


@results_cli.command("export")
@click.option("--round", "round_id", type=int, required=True, help="Mã vòng thi.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp ghi ra: .xlsx hoặc .csv (chọn theo phần mở rộng).")
@click.option("--agency", "agency_code", default=None, help="Mã đơn vị: chỉ đơn vị này và các đơn vị trực thuộc.")
def export_command(round_id: int, output: Path, agency_code: str | None) -> None:
    """Write a round's leaderboard to OUTPUT, as .xlsx or .csv by its extension (a closed round is
    settled first, so the file holds the final order)."""
    try:
        file_format = format_for(output)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="-o/--output") from None
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"Không có vòng thi mã {round_id}.")
    agency = None
    if agency_code:
        agency = find_agency(agency_code)
        if agency is None:
            raise click.ClickException(f"Không có đơn vị mã “{agency_code}”.")
    table = leaderboard_table(round_, agency)
    output.write_bytes(table_bytes(table, file_format))
    click.echo(f"Đã ghi {len(table.rows)} thí sinh của “{round_.name}” vào {output}.")
