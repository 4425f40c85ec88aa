"""`flask scores …`: check stored scores, standings and signed results against a recount."""
import click
from flask.cli import AppGroup

from contest.scoring.verify import verify_all

scores_cli = AppGroup("scores", help="Điểm và xếp hạng.")


@scores_cli.command("verify")
def verify_command() -> None:
    """Recompute every score and standing from the raw attempts and re-check signed results."""
    differences = verify_all()
    if differences:
        for line in differences:
            click.echo(line, err=True)
        click.echo(f"Có {len(differences)} chỗ không khớp.", err=True)
        raise SystemExit(1)
    click.echo("Mọi điểm, bảng xếp hạng và kết quả đã ký đều khớp với việc tính lại.")
