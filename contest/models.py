"""Every model, imported once so the mapper registry and Alembic see the whole schema."""
from contest.accounts.models import Role, User
from contest.agencies.models import Agency
from contest.attempts.models import Attempt, AttemptItem
from contest.bank.models import LegalDocument, Question, QuestionBank
from contest.leaderboards.models import Standing
from contest.rounds.models import Contest, Round

__all__ = ["Agency", "Attempt", "AttemptItem", "Contest", "LegalDocument", "Question",
           "QuestionBank", "Role", "Round", "Standing", "User"]
