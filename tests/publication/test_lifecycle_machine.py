"""Sign → freeze → publish → certificates as a state machine: random signatures, exclusions, publications
(by the right and the wrong people), participation offers and downloads, run against the real services and
database and checked after every step against a model of what the rules allow."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from contest.accounts.models import Role, User
from contest.certificates.models import Certificate
from contest.certificates.services import CertificateError, issue_certificate, verify_code
from contest.database import utcnow
from contest.extensions import db
from contest.prizes.services import PrizeError, canonical, exclude, propose_winners, set_prize_rules, sign
from contest.publication.queries import round_results
from contest.publication.services import (PublicationError, offer_participation_certificates, publication_of,
                                          publish_round)
from contest.results.services import settled
from contest.rounds.models import Round
from tests import factories
from tests.conftest import empty_tables
from tests.leaderboards.test_final_ranking import paper

CONTESTANTS = 4  # ranked in this order: scores 5, 4, 3, 2
PRIZES = 2


class PublicationMachine(RuleBasedStateMachine):
    """Four ranked contestants, two prizes, three judges and an organizer; the round closed an hour ago."""

    app = None  # set by the module fixture below

    def __init__(self):
        super().__init__()
        self.context = self.app.app_context()
        self.context.push()
        self.excluded: list[int] = []
        self.signers: set[int] = set()  # judges who signed the current proposal
        self.is_frozen = False
        self.frozen_winners: list[int] = []
        self.is_published = False
        self.is_participation = False
        self.issued: dict[int, str] = {}  # user index → code

    def teardown(self):
        """Empty the tables for the next example and leave the app context."""
        try:
            empty_tables()
            db.session.remove()
        finally:
            self.context.pop()

    @initialize()
    def build(self):
        now = utcnow()
        world = factories.build_world(now)
        self.round_id = world.round.id
        self.users = [factories.make_user(f"m{n}@example.vn", world.commune, name=f"Thí Sinh Máy {n}").id
                      for n in range(CONTESTANTS)]
        db.session.commit()
        for n, user_id in enumerate(self.users):
            paper(db.session.get(User, user_id), world.round, now - timedelta(minutes=50), 5 - n, 60)
        self.judges = [factories.make_user(f"gkm{n}@example.vn", world.province, Role.JUDGE, name=f"Giám khảo {n}").id
                       for n in range(3)]
        self.organizer = factories.make_user("btcm@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức").id
        set_prize_rules(world.round, "CBCCVC", [("Giải Nhất", 1, 10), ("Giải Nhì", 1, 8)], None)
        world.round.closes_at = now - timedelta(minutes=1)
        db.session.commit()
        settled(world.round)  # judges sign settled figures only (closed, grace over, settled once)
        self.after = now

    @property
    def round(self) -> Round:
        return db.session.get(Round, self.round_id)

    def winners(self) -> list[int]:
        """The model's winners: the ranking without exclusions, two prizes."""
        if self.is_frozen:
            return self.frozen_winners
        return [n for n in range(CONTESTANTS) if n not in self.excluded][:PRIZES]

    def outcome(self, action, refusal_type, expected_ok: bool) -> None:
        try:
            action()
        except refusal_type:
            db.session.rollback()
            assert not expected_ok, "refused an action the rules allow"
        else:
            db.session.commit()
            assert expected_ok, "allowed an action the rules refuse"

    @rule(judge=st.integers(0, 2))
    def sign(self, judge):
        checksum = canonical(self.round, propose_winners(self.round))[1]
        expected = not self.is_frozen and judge not in self.signers
        self.outcome(lambda: sign(self.round, db.session.get(User, self.judges[judge]), checksum, self.after),
                     PrizeError, expected)
        if expected:
            self.signers.add(judge)
            if len(self.signers) == 2:
                self.is_frozen, self.frozen_winners = True, self.winners()

    @rule(judge=st.integers(0, 2), contestant=st.integers(0, CONTESTANTS - 1))
    def exclude(self, judge, contestant):
        expected = not self.is_frozen and contestant not in self.excluded
        self.outcome(lambda: exclude(self.round, self.users[contestant], "Vi phạm thể lệ",
                                     db.session.get(User, self.judges[judge])), PrizeError, expected)
        if expected:
            before = self.winners()
            self.excluded.append(contestant)
            if self.winners() != before:
                self.signers.clear()  # a changed list needs both signatures again

    @rule(by_organizer=st.booleans(), participation=st.booleans())
    def publish(self, by_organizer, participation):
        person = db.session.get(User, self.organizer if by_organizer else self.judges[0])
        expected = by_organizer and self.is_frozen and not self.is_published
        self.outcome(lambda: publish_round(self.round, person, self.after, participation), PublicationError, expected)
        if expected:
            self.is_published, self.is_participation = True, participation

    @rule()
    def offer_participation(self):
        expected = self.is_published and not self.is_participation
        self.outcome(lambda: offer_participation_certificates(self.round, db.session.get(User, self.organizer)),
                     PublicationError, expected)
        if expected:
            self.is_participation = True

    @rule(contestant=st.integers(0, CONTESTANTS - 1))
    def download(self, contestant):
        expected = self.is_published and (contestant in self.winners() or self.is_participation
                                           or contestant in self.issued)
        user = db.session.get(User, self.users[contestant])
        result = {}
        self.outcome(lambda: result.setdefault("code", issue_certificate(self.round, user).code),
                     CertificateError, expected)
        if expected:
            assert self.issued.setdefault(contestant, result["code"]) == result["code"]  # one per person

    @invariant()
    def the_public_page_and_certificates_agree_with_the_model(self):
        if not hasattr(self, "round_id"):  # invariants also run before the round is built
            return
        assert (publication_of(self.round) is not None) == self.is_published
        results = round_results(self.round)
        if self.is_published:
            names = [w.name for w in results.winners]
            assert names == [f"Thí S. M. {n}" for n in self.frozen_winners]  # masked, in prize order
        else:
            assert results is None
        certificates = db.session.scalars(sa.select(Certificate)).all()
        assert {c.code for c in certificates} == set(self.issued.values())
        for certificate in certificates:
            assert verify_code(certificate.code).status == "valid"
            winner = self.users.index(certificate.user_id) in self.frozen_winners
            assert certificate.kind == ("prize" if winner else "participation")


@pytest.fixture(scope="module", autouse=True)
def machine_app(session_app):
    """Hand the session's application to the state machine, which fixtures cannot reach."""
    PublicationMachine.app = session_app
    yield session_app
    PublicationMachine.app = None


TestPublicationMachine = PublicationMachine.TestCase
TestPublicationMachine.settings = settings(max_examples=20, stateful_step_count=12, deadline=None, database=None,
                                           suppress_health_check=[HealthCheck.too_slow])
