"""`flask certificates …`: build every certificate of a published round into one PDF (the Xét giải page
queues the same build as a background job)."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from contest.certificates.page import FontMissing
from contest.certificates.services import CertificateError, build_round_certificates

certificates_cli = AppGroup("certificates", help="Giấy chứng nhận của vòng thi đã công bố kết quả.")


@certificates_cli.command("build")
@click.argument("round_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp PDF ghi ra (mỗi giấy chứng nhận một trang).")
def build_command(round_id: int, output: Path) -> None:
    """Issue and write every certificate of published round ROUND_ID (winners, and every submitted paper
    where participation certificates are offered) as one PDF."""
    public_url = current_app.config["PUBLIC_URL"]
    if not public_url:
        raise click.ClickException("Đặt PUBLIC_URL (địa chỉ công khai của trang thi, ví dụ https://thi.example.gov.vn): "
                                   "mã QR trên giấy chứng nhận dẫn tới địa chỉ đó.")

    def progress(done: int, total: int) -> None:
        if done == total or done % 500 == 0:
            click.echo(f"{done}/{total}", err=True)
    try:
        pages = build_round_certificates(round_id, output, public_url, current_app.config["CERTIFICATE_FONT_DIR"],
                                         progress)
    except (CertificateError, FontMissing) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Đã ghi {pages} giấy chứng nhận vào {output}.")
