"""Reading the agency tree."""
from dataclasses import dataclass

import sqlalchemy as sa

from contest.agencies.models import Agency
from contest.exports.writers import Column, Table
from contest.extensions import db
from questions.text import fold


def agencies_in_tree_order() -> list[Agency]:
    """Every agency, parents before children and siblings by name, in one query."""
    agencies = db.session.scalars(sa.select(Agency)).all()
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    for siblings in children.values():
        siblings.sort(key=lambda a: (a.code, a.name))
    ordered: list[Agency] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        agency = stack.pop()
        ordered.append(agency)
        stack.extend(reversed(children.get(agency.id, [])))
    return ordered


def subtree_condition(column, agency: Agency):
    """A condition on a path column selecting `agency` and everything under it."""
    return column.like(subtree_prefix(agency))


def subtree_prefix(agency) -> str:
    """The LIKE pattern of the paths of `agency` and everything under it."""
    return f"{agency.path}%"


# How many agencies the picker lists at once; typing more words narrows the list.
PICKER_LIMIT = 15


@dataclass
class AgencyMatch:
    """An agency as the picker shows it: its name and the names above it, top first."""

    id: int
    name: str
    trail: list[str]

    @property
    def trail_text(self) -> str:
        """The agencies above, as “UBND tỉnh › UBND huyện …” (empty for a top agency)."""
        return " › ".join(self.trail)


def path_ids(path: str) -> list[int]:
    """The ids of a materialised path, top first: "/1/5/23/" → [1, 5, 23]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def with_trails(agencies: list[Agency]) -> list[AgencyMatch]:
    """The agencies with the names of their ancestors, read in one query."""
    above = {ancestor for agency in agencies for ancestor in path_ids(agency.path)[:-1]}
    names = dict(db.session.execute(sa.select(Agency.id, Agency.name).where(Agency.id.in_(above))).all()) \
        if above else {}
    return [AgencyMatch(id=agency.id, name=agency.name,
                        trail=[names[ancestor] for ancestor in path_ids(agency.path)[:-1] if ancestor in names])
            for agency in agencies]


def search_agencies(text: str, within: Agency | None = None,
                    limit: int = PICKER_LIMIT) -> tuple[list[AgencyMatch], bool]:
    """Agencies whose name holds every typed word, diacritics and case ignored (“xa phu lam” finds
    “Xã Phú Lâm”), higher levels first; and whether more matched than are listed."""
    words = fold(text).split()
    if not words:
        return [], False
    query = sa.select(Agency).where(*(Agency.search_name.contains(word, autoescape=True) for word in words))
    if within is not None:
        query = query.where(subtree_condition(Agency.path, within))
    found = db.session.scalars(query.order_by(Agency.level, Agency.search_name, Agency.id).limit(limit + 1)).all()
    return with_trails(found[:limit]), len(found) > limit


def agency_match(agency_id: int | None) -> AgencyMatch | None:
    """One agency with its trail, or None when there is no such agency."""
    agency = db.session.get(Agency, agency_id) if agency_id else None
    return with_trails([agency])[0] if agency is not None else None


def agency_trail(agency: Agency) -> list[Agency]:
    """The agency and every agency above it, top first (for a breadcrumb of boards)."""
    ids = path_ids(agency.path)
    by_id = {a.id: a for a in db.session.scalars(sa.select(Agency).where(Agency.id.in_(ids)))}
    return [by_id[agency_id] for agency_id in ids if agency_id in by_id]


def agency_list_table() -> Table:
    """Every agency with the columns the import reads, parents first: download, edit, load back."""
    agencies = agencies_in_tree_order()
    codes = {agency.id: agency.code for agency in agencies}
    return Table(name="Đơn vị", columns=[
        Column("Mã đơn vị", "text", 18), Column("Tên đơn vị", "text", 50), Column("Mã đơn vị cấp trên", "text", 18),
        Column("Biên chế", "integer", 10), Column("Khối", "text", 20)],
        rows=[[agency.code, agency.name, codes.get(agency.parent_id, ""), agency.headcount, agency.group_name]
              for agency in agencies])


@dataclass
class Picker:
    """What the agency picker shows: the words typed, the agency chosen and the agencies found."""

    name: str
    query: str
    chosen: AgencyMatch | None
    matches: list[AgencyMatch]
    more: bool
    within_id: int | None = None

    @property
    def others(self) -> list[AgencyMatch]:
        """The agencies found, the chosen one aside (it is listed first)."""
        return [match for match in self.matches if self.chosen is None or match.id != self.chosen.id]


def agency_picker(name: str, chosen_id: int | None, query: str = "", within: Agency | None = None) -> Picker:
    """The picker for a form field `name`: the chosen agency and what the typed words find."""
    query = (query or "")[:200]
    matches, more = search_agencies(query, within) if query.strip() else ([], False)
    chosen = agency_match(chosen_id)
    if chosen is not None and within is not None and not db.session.get(Agency, chosen.id).path.startswith(within.path):
        chosen = None
    return Picker(name=name, query=query, chosen=chosen, matches=matches, more=more,
                  within_id=within.id if within is not None else None)
