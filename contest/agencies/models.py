"""The agency tree: a province's agencies down to commune level."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from contest.extensions import db
from questions.text import fold


class Agency(db.Model):
    """An agency (đơn vị) in the tree; `path` holds the ids from the root, e.g. "/1/5/23/"."""

    __tablename__ = "agencies"
    __table_args__ = (
        sa.Index("ix_agencies_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        sa.CheckConstraint("headcount >= 0", name="headcount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    # The name folded (lower case, no diacritics), what the agency picker matches typed words against.
    search_name: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    headcount: Mapped[int] = mapped_column(default=0)
    # The group it is ranked in for collective prizes ("khối": Sở, ngành / Huyện, xã …).
    group_name: Mapped[str] = mapped_column(sa.String(100), default="")
    # Materialised path: the subtree of agency X is every row whose path starts with X's path.
    path: Mapped[str] = mapped_column(sa.String(255), default="")

    parent: Mapped["Agency | None"] = relationship(remote_side="Agency.id", back_populates="children")
    children: Mapped[list["Agency"]] = relationship(back_populates="parent", order_by="Agency.code")

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        """Keep the folded name in step with the name, however it is set."""
        self.search_name = fold(name or "")
        return name

    def __repr__(self) -> str:
        return f"<Agency {self.code} {self.name!r}>"
