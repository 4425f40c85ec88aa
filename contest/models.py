"""Every model, imported once so the mapper registry and Alembic see the whole schema."""
from contest.accounts.models import Role, User
from contest.agencies.models import Agency
from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import PendingImport, Question, QuestionBank
from contest.certificates.models import Certificate
from contest.legal.models import LegalAmendment, LegalArticle, LegalDocument
from contest.audit.models import AuditEntry
from contest.jobs.models import Job
from contest.leaderboards.models import ContestStanding, Standing
from contest.live.models import (LiveAnswer, LiveBuzz, LiveEvent, LiveMark, LiveQuestion, LiveRun, LiveSegment,
                                 LiveStake, LiveTeam)
from contest.prizes.models import Exclusion, PrizeRule, ResultSnapshot, SignOff
from contest.publication.models import Publication
from contest.reviews.models import QuestionReview
from contest.rounds.models import Contest, Round, RoundChange

__all__ = ["Agency", "AuditEntry", "Certificate", "Publication", "ContestStanding", "Exclusion", "PrizeRule", "ResultSnapshot", "SignOff", "Attempt",
           "AttemptItem", "Contest", "Job", "LegalAmendment", "LegalArticle", "LegalDocument", "LiveAnswer", "LiveBuzz",
           "LiveEvent", "LiveMark", "LiveQuestion", "LiveRun", "LiveSegment", "LiveStake", "LiveTeam", "PendingImport",
           "Question", "QuestionBank", "QuestionReview", "Role", "Round", "RoundChange", "Standing", "User"]
