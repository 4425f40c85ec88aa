"""`flask jobs work`: the worker that runs queued jobs (run one or more per instance, beside the web server)."""
import time

import click
from flask.cli import AppGroup

from contest.jobs import work

jobs_cli = AppGroup("jobs", help="Công việc chạy nền (nhập ngân hàng câu hỏi lớn…).")


@jobs_cli.command("work")
@click.option("--poll", default=1.0, show_default=True, help="Giây chờ giữa hai lần xem hàng đợi khi trống.")
@click.option("--until-empty", is_flag=True, help="Dừng khi hàng đợi trống (cho kịch bản và kiểm thử).")
def work_command(poll: float, until_empty: bool):
    """Run queued jobs, claimed with SKIP LOCKED so several workers and instances share the queue."""
    def idle() -> bool:
        if until_empty:
            return True
        time.sleep(poll)  # an empty queue: look again shortly (a poll, not a sync)
        return False

    ran = work(idle=idle)
    click.echo(f"Đã chạy {ran} công việc.")
