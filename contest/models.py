"""Every model, imported once so the mapper registry and Alembic see the whole schema."""
from contest.accounts.models import Role, User
from contest.agencies.models import Agency
from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import PendingImport, Question, QuestionBank
from contest.legal.models import LegalArticle, LegalDocument
from contest.leaderboards.models import Standing
from contest.rounds.models import Contest, Round, RoundChange

__all__ = ["Agency", "Attempt", "AttemptItem", "Contest", "LegalArticle", "LegalDocument", "PendingImport", "Question",
           "QuestionBank", "Role", "Round", "RoundChange", "Standing", "User"]
