"""`flask demo load`: the demo contest, loaded idempotently."""
import click
from flask.cli import AppGroup

from contest.database import utcnow
from contest.demo.loader import load_demo
from contest.extensions import db

demo_cli = AppGroup("demo", help="Dữ liệu mẫu.")


@demo_cli.command("load")
@click.option("--contestants", default=300, show_default=True, help="Số thí sinh mô phỏng.")
def load_command(contestants: int) -> None:
    """Load the demo contest; a second run adds nothing."""
    report = load_demo(utcnow(), simulated=contestants)
    db.session.commit()
    click.echo(
        f"Dữ liệu mẫu: thêm {report.agencies} đơn vị, {report.documents} văn bản, "
        f"{report.questions} câu hỏi, {report.rounds} vòng thi, {report.live_events} hội thi trực tiếp, "
        f"{report.accounts} tài khoản, {report.simulated} thí sinh mô phỏng và {report.suspicious} tài khoản "
        f"có dấu hiệu bất thường với {report.attempts} bài thi.")
