"""`flask results …`: export a round's results."""
from pathlib import Path

import click
from flask.cli import AppGroup

from contest.exports.tables import leaderboard_table
from contest.exports.writers import format_for, table_bytes
from contest.extensions import db
from contest.rounds.models import Round

results_cli = AppGroup("results", help="Kết quả vòng thi: xuất bảng xếp hạng.")


@results_cli.command("export")
@click.option("--round", "round_id", type=int, required=True, help="Mã vòng thi.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp ghi ra: .xlsx hoặc .csv (chọn theo phần mở rộng).")
def export_command(round_id: int, output: Path) -> None:
    """Write a round's leaderboard to OUTPUT, as .xlsx or .csv by its extension."""
    try:
        file_format = format_for(output)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="-o/--output") from None
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"Không có vòng thi mã {round_id}.")
    table = leaderboard_table(round_)
    output.write_bytes(table_bytes(table, file_format))
    click.echo(f"Đã ghi {len(table.rows)} thí sinh của “{round_.name}” vào {output}.")
