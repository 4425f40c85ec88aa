"""A live event's tables for download, through the project's formula-safe writers (contest.exports): the
final table (signed, or marked as not yet signed) and the ledger of every mark and correction."""
from contest.clock import display_zone
from contest.exports.writers import Column, Table
from contest.live.models import LiveEvent, LiveRun
from contest.live.queries import final_table, marks_log, question_labels

MARK_KINDS = {"auto": "Máy chấm khi khóa câu", "host": "Người dẫn chấm", "correction": "Sửa điểm"}


def results_table(event: LiveEvent, run: LiveRun, snapshot: dict | None, checksum: str | None,
                  signed_by: list[str]) -> Table:
    """The final table: rank, team, agency, members, points per segment, right answers, total; under it who
    signed and the checksum (or that it is not signed yet)."""
    rows = snapshot["rows"] if snapshot else final_table(event, run)
    segments = snapshot["segments"] if snapshot else [segment.title for segment in event.segments]
    columns = [Column("Hạng", "integer", 7), Column("Thí sinh" if event.is_individual else "Đội", "text", 30),
               Column("Đơn vị", "text", 36), Column("Thành viên", "text", 40)]
    columns += [Column(title, "integer", max(12, len(title) + 2)) for title in segments]
    columns += [Column("Số câu đúng", "integer", 12), Column("Tổng điểm", "integer", 12)]
    table = Table(name="Kết quả hội thi", columns=columns)
    for row in rows:
        table.rows.append([row["rank"], row["team"], row["agency"], ", ".join(row["members"]), *row["segments"],
                           row["correct"], row["total"]])
    blank = [None] * len(columns)
    table.rows.append(list(blank))
    footer = [f"Đã ký: {', '.join(signed_by)}" if snapshot else "CHƯA KÝ — bảng dự kiến",
              f"Mã kiểm tra SHA-256: {checksum}" if checksum else ""]
    for text in footer:
        line = list(blank)
        line[1] = text
        table.rows.append(line)
    return table


def marks_table(event: LiveEvent, run: LiveRun) -> Table:
    """Every mark and correction of the run in order: when, which question, which team, what, who and why."""
    labels = question_labels(event.id)
    table = Table(name="Nhật ký chấm điểm", columns=[
        Column("STT", "integer", 6), Column("Thời điểm", "text", 20), Column("Câu hỏi", "text", 28),
        Column("Đội", "text", 28), Column("Loại", "text", 22), Column("Điểm", "integer", 8),
        Column("Đúng/Sai", "text", 10), Column("Ghi chú, lý do", "text", 40), Column("Người thực hiện", "text", 24)])
    for number, mark in enumerate(marks_log(run), start=1):
        verdict = "" if mark.is_correct is None else ("Đúng" if mark.is_correct else "Sai")
        table.rows.append([number, mark.created_at.astimezone(display_zone()).strftime("%d/%m/%Y %H:%M:%S"),
                           labels.get(mark.question_id, str(mark.question_id)), mark.team.name,
                           MARK_KINDS[mark.kind], mark.points, verdict, mark.note,
                           mark.user.full_name if mark.user else "Máy chủ"])
    return table
