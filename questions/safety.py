"""Guards for uploaded files: size limits, zip bombs, and text decoding that refuses guesswork.

Every guard runs before a parser sees the file and reports through ImportFailed, so a hostile
file is refused with a message an organiser can read, never with a crash or a hung worker.
"""
import codecs
import zipfile
from pathlib import Path

import defusedxml

from questions.records import ImportFailed, ImportIssue

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 5000
# A member this small cannot hurt whatever its ratio; tiny XML parts often compress very well.
RATIO_FLOOR_BYTES = 1024 * 1024


def refuse(message: str) -> ImportFailed:
    """An ImportFailed about the whole file."""
    return ImportFailed([ImportIssue(0, "", message)])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_size(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuse a file larger than max_bytes."""
    size = Path(path).stat().st_size
    if size > max_bytes:
        raise refuse(f"tệp nặng {_megabytes(size)}, vượt giới hạn {_megabytes(max_bytes)}")


def read_bytes(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing it when larger than max_bytes."""
    check_size(path, max_bytes)
    with open(path, "rb") as handle:
        # Read one byte more than allowed: a file growing after stat() is still caught.
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise refuse(f"tệp vượt giới hạn {_megabytes(max_bytes)}")
    return data


def check_zip(path: str | Path, kind: str, max_bytes: int = MAX_FILE_BYTES,
              max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
              max_ratio: float = MAX_COMPRESSION_RATIO) -> None:
    """Refuse an .xlsx/.docx that is too big, not a zip, or a zip bomb, before any parser opens it.

    Sizes come from the zip's central directory. Python's zipfile stops every member at its
    declared size, so a member that lies about its size cannot inflate past what is checked here.
    """
    check_size(path, max_bytes)
    if not zipfile.is_zipfile(path):
        raise refuse(f"không đọc được tệp {kind}: tệp hỏng hoặc không phải định dạng {kind}")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse(f"không đọc được tệp {kind}: tệp hỏng hoặc không phải định dạng {kind}")
    if len(members) > MAX_ZIP_MEMBERS:
        raise refuse(f"tệp {kind} chứa {len(members)} thành phần, quá nhiều để là một tệp bình thường")
    total = sum(member.file_size for member in members)
    if total > max_uncompressed:
        raise refuse(f"tệp {kind} khi giải nén nặng {_megabytes(total)}, vượt giới hạn "
                     f"{_megabytes(max_uncompressed)}: có thể là tệp độc hại (zip bomb)")
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and \
                member.file_size > max_ratio * max(member.compress_size, 1):
            raise refuse(f"tệp {kind} có thành phần “{member.filename}” nén bất thường "
                         f"(hơn {max_ratio:g} lần): có thể là tệp độc hại (zip bomb)")


def unreadable(exc: BaseException, kind: str) -> ImportFailed:
    """The ImportFailed for a parser's exception; XML entity declarations get their own message."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, defusedxml.DefusedXmlException):
            return refuse(f"tệp {kind} có khai báo DTD hoặc thực thể (entity) XML: bị từ chối để bảo đảm an toàn")
        cause = cause.__cause__ or cause.__context__
    return refuse(f"không đọc được tệp {kind} ({exc.__class__.__name__})")


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes, kind: str) -> str:
    """Text from UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            break
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise refuse(f"tệp {kind} không phải văn bản UTF-8 (lỗi mã hoá ở dòng {line}); "
                     "hãy lưu lại với bảng mã UTF-8 (trong Excel: “CSV UTF-8”)")
    if "\x00" in text:
        raise refuse(f"tệp {kind} chứa ký tự NUL: không phải tệp văn bản")
    return text


def read_text(path: str | Path, kind: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A text file's content, size-checked and decoded."""
    return decode_text(read_bytes(path, max_bytes), kind)
