"""Reading the agency tree."""
import sqlalchemy as sa

from contest.agencies.models import Agency
from contest.extensions import db


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


def agency_choices() -> list[tuple[int, str]]:
    """(id, label) pairs for a select box, indented by level so the tree shows."""
    return [(a.id, "\u00a0\u00a0\u00a0" * (a.level - 1) + a.name) for a in agencies_in_tree_order()]


def subtree_condition(column, agency: Agency):
    """A condition on a path column selecting `agency` and everything under it."""
    return column.like(f"{agency.path}%")
