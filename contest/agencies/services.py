"""Writing the agency tree: adding agencies one by one, or importing a whole list."""
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from contest.agencies.formats import AgencyRow, parse_headcount, read_agencies
from contest.agencies.models import Agency
from contest.extensions import db
from contest.leaderboards.models import ContestStanding, Standing
from questions.records import ImportFailed, ImportIssue
from questions.text import clean

# Column sizes of the agencies table, checked before anything is written.
MAX_CODE = 50
MAX_NAME = 255
MAX_GROUP = 100
# Paths of this many agencies are rewritten in one UPDATE … CASE statement.
PATH_BATCH = 500


def add_agency(*, code: str, name: str, parent: Agency | None = None, headcount: int = 0,
               group_name: str = "") -> Agency:
    """Add an agency under `parent`, setting its level and materialised path; the caller commits."""
    agency = Agency(code=clean(code), name=clean(name), parent=parent, headcount=headcount,
                    group_name=clean(group_name), level=(parent.level + 1) if parent else 1)
    db.session.add(agency)
    db.session.flush()
    agency.path = f"{parent.path if parent else '/'}{agency.id}/"
    return agency


def find_agency(code: str) -> Agency | None:
    """The agency with this code, or None."""
    return db.session.scalar(sa.select(Agency).where(Agency.code == code))


@dataclass
class AgencyImportReport:
    """What an import created, changed and moved, and how many paths and standings followed a move."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Existing agencies whose path changed: the moved ones and everything under them.
    paths_changed: int = 0
    # Round and contest standings whose agency_path was rewritten to follow their agency.
    standings_updated: int = 0


@dataclass
class _Entry:
    """A row that passed its own checks, with its values parsed."""

    row: AgencyRow
    code: str
    name: str
    parent_code: str | None
    headcount: int | None
    group_name: str


def _check_rows(rows: list[AgencyRow]) -> tuple[dict[str, _Entry], list[ImportIssue]]:
    """Parse every row; the first row of each code, and every fault of a single row or of duplicates."""
    issues: list[ImportIssue] = []
    entries: dict[str, _Entry] = {}
    for row in rows:
        code, name, group_name = clean(row.code), clean(row.name), clean(row.group_name)
        parent_code = None if row.parent_code is None else clean(row.parent_code)
        if not code:
            issues.append(ImportIssue(row.row, row.where("code"), "thiếu mã đơn vị"))
        elif len(code) > MAX_CODE:
            issues.append(ImportIssue(row.row, row.where("code"), f"mã đơn vị dài quá {MAX_CODE} ký tự"))
        elif code in entries:
            issues.append(ImportIssue(row.row, row.where("code"),
                                      f"mã “{code}” trùng với dòng {entries[code].row.row}"))
        if not name:
            issues.append(ImportIssue(row.row, row.where("name"), "thiếu tên đơn vị"))
        elif len(name) > MAX_NAME:
            issues.append(ImportIssue(row.row, row.where("name"), f"tên đơn vị dài quá {MAX_NAME} ký tự"))
        if len(group_name) > MAX_GROUP:
            issues.append(ImportIssue(row.row, row.where("group_name"), f"tên khối dài quá {MAX_GROUP} ký tự"))
        if code and parent_code == code:
            issues.append(ImportIssue(row.row, row.where("parent_code"),
                                      "đơn vị không thể là cấp trên của chính nó"))
        try:
            headcount = parse_headcount(row.headcount)
        except ValueError as error:
            issues.append(ImportIssue(row.row, row.where("headcount"), str(error)))
            headcount = None
        if code and code not in entries:
            entries[code] = _Entry(row, code, name, parent_code, headcount, group_name)
    return entries, issues


def _check_tree(entries: dict[str, _Entry], existing: dict[str, Agency]) -> list[ImportIssue]:
    """Unknown parents and cycles, in the tree as it will be: the database's with the file's changes."""
    issues: list[ImportIssue] = []
    known_by_case = {code.casefold(): code for code in [*existing, *entries]}
    code_of = {agency.id: code for code, agency in existing.items()}
    parent_of = {code: code_of.get(agency.parent_id) for code, agency in existing.items()}
    for code, entry in entries.items():
        if entry.parent_code is None:
            parent_of.setdefault(code, None)  # a new agency without a parent column is a root
        elif not entry.parent_code or entry.parent_code == code:
            parent_of[code] = None  # a root, or already reported as its own parent
        elif entry.parent_code in entries or entry.parent_code in existing:
            parent_of[code] = entry.parent_code
        else:
            message = f"không có đơn vị mã “{entry.parent_code}” trong tệp hoặc trong hệ thống"
            near = known_by_case.get(entry.parent_code.casefold())
            if near:
                message += f" (có mã “{near}”: mã phân biệt chữ hoa, chữ thường)"
            issues.append(ImportIssue(entry.row.row, entry.row.where("parent_code"), message))
            parent_of[code] = None
    # Walk up from every agency of the file; a walk that meets itself has found a cycle.
    done: set[str] = set()
    for start in entries:
        walk: list[str] = []
        code: str | None = start
        while code is not None and code not in done and code not in walk:
            walk.append(code)
            code = parent_of.get(code)
        if code is not None and code in walk:
            cycle = walk[walk.index(code):]
            for index, member in enumerate(cycle):
                if member in entries:
                    # Each row's message starts the loop at its own agency.
                    loop = cycle[index:] + cycle[:index + 1]
                    entry = entries[member]
                    issues.append(ImportIssue(entry.row.row, entry.row.where("parent_code"),
                                              f"tạo vòng lặp cấp trên: {' → '.join(loop)}"))
        done.update(walk)
    return issues


def _parents_first(entries: dict[str, _Entry]) -> list[_Entry]:
    """The entries ordered so that a parent listed in the file comes before its children."""
    ordered: list[_Entry] = []
    placed: set[str] = set()
    for entry in entries.values():
        chain: list[_Entry] = []
        while entry is not None and entry.code not in placed:
            chain.append(entry)
            placed.add(entry.code)
            entry = entries.get(entry.parent_code) if entry.parent_code else None
        ordered.extend(reversed(chain))
    return ordered


def _refresh_paths(agencies: list[Agency], new: set[int]) -> dict[int, str]:
    """Set every agency's level and path from its parent; {id: new path} of existing agencies that moved."""
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    changed: dict[int, str] = {}
    stack = [(agency, 1, "/") for agency in children.get(None, [])]
    while stack:
        agency, level, prefix = stack.pop()
        path = f"{prefix}{agency.id}/"
        if agency.level != level:
            agency.level = level
        if agency.path != path:
            if agency.id not in new:
                changed[agency.id] = path
            agency.path = path
        stack.extend((child, level + 1, path) for child in children.get(agency.id, []))
    return changed


def _repath_standings(paths: dict[int, str]) -> int:
    """Rewrite agency_path on round and contest standings of agencies whose path changed."""
    updated = 0
    items = list(paths.items())
    for model in (Standing, ContestStanding):
        for start in range(0, len(items), PATH_BATCH):
            batch = dict(items[start:start + PATH_BATCH])
            result = db.session.execute(
                sa.update(model).where(model.agency_id.in_(list(batch)))
                .values(agency_path=sa.case(batch, value=model.agency_id))
                .execution_options(synchronize_session="fetch"))
            updated += result.rowcount
    return updated


def import_agencies(rows: list[AgencyRow]) -> AgencyImportReport:
    """Create or update agencies by code, parents first; all or nothing, the caller commits.

    Every fault (missing or duplicate code, missing name, bad headcount, unknown parent, cycle) is
    collected and raised together in ImportFailed before anything is written. A blank headcount or
    group keeps the stored value; a blank parent makes a root. When a parent changes, the levels and
    paths of the whole subtree, and the agency_path of their standings, follow.
    """
    existing = {agency.code: agency for agency in db.session.scalars(sa.select(Agency))}
    entries, issues = _check_rows(rows)
    issues += _check_tree(entries, existing)
    if issues:
        raise ImportFailed(sorted(issues, key=lambda issue: (issue.row, issue.column)))
    report = AgencyImportReport()
    by_code = dict(existing)
    created: list[Agency] = []
    for entry in _parents_first(entries):
        parent = by_code[entry.parent_code] if entry.parent_code else None
        agency = existing.get(entry.code)
        if agency is None:
            agency = Agency(code=entry.code, name=entry.name, parent=parent, headcount=entry.headcount or 0,
                            group_name=entry.group_name, level=1, path="")
            db.session.add(agency)
            created.append(agency)
            report.created.append(entry.code)
        else:
            is_changed = False
            for name, value in (("name", entry.name), ("headcount", entry.headcount),
                                ("group_name", entry.group_name or None)):
                if value is not None and getattr(agency, name) != value:
                    setattr(agency, name, value)
                    is_changed = True
            if entry.parent_code is not None and agency.parent is not parent:
                agency.parent = parent
                report.moved.append(entry.code)
                is_changed = True
            if is_changed:
                report.updated.append(entry.code)
            else:
                report.unchanged += 1
        by_code[entry.code] = agency
    db.session.flush()  # new agencies get their ids, moved ones their parent_id
    paths = _refresh_paths(list(by_code.values()), {agency.id for agency in created})
    db.session.flush()
    report.paths_changed = len(paths)
    report.standings_updated = _repath_standings(paths)
    return report


def import_agency_file(filename: str, data: bytes) -> AgencyImportReport:
    """Import an uploaded .xlsx or .csv agency list (raises ImportFailed with every fault); the caller
    commits, or rolls back to only check it."""
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"don-vi{suffix}"
        path.write_bytes(data)
        return import_agencies(read_agencies(path))
