"""Writing the agency tree."""
import sqlalchemy as sa

from contest.agencies.models import Agency
from contest.extensions import db
from questions.text import clean


def add_agency(*, code: str, name: str, parent: Agency | None = None, headcount: int = 0) -> Agency:
    """Add an agency under `parent`, setting its level and materialised path; the caller commits."""
    agency = Agency(code=clean(code), name=clean(name), parent=parent, headcount=headcount,
                    level=(parent.level + 1) if parent else 1)
    db.session.add(agency)
    db.session.flush()
    agency.path = f"{parent.path if parent else '/'}{agency.id}/"
    return agency


def find_agency(code: str) -> Agency | None:
    """The agency with this code, or None."""
    return db.session.scalar(sa.select(Agency).where(Agency.code == code))
