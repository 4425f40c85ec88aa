"""`flask jobs work`: the worker that runs queued jobs (run one or more per instance, beside the web server)."""
import time
from datetime import timedelta

import click
from flask.cli import AppGroup

from contest.jobs import prune, work

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


@jobs_cli.command("prune")
@click.option("--days", default=90, show_default=True, type=click.IntRange(min=1),
              help="Quên các công việc đã xong hoặc không thành công từ quá số ngày này.")
def prune_command(days: int):
    """Forget finished jobs older than --days, with the files they wrote (a certificates batch's PDF)."""
    click.echo(f"Đã xóa {prune(timedelta(days=days))} công việc đã kết thúc từ hơn {days} ngày trước.")
