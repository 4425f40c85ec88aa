"""Pure ranking rules: the prediction's distance, the final key, masked names."""
from datetime import datetime, timezone

from contest.scoring.rules import (MISSING_PREDICTION_ERROR, final_rank_key, mask_name, prediction_error,
                                   rank_key)

T = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)


def test_prediction_error_and_missing_prediction():
    assert prediction_error(1200, 1234) == 34 and prediction_error(1300, 1234) == 66
    assert prediction_error(None, 5) == MISSING_PREDICTION_ERROR


def test_final_key_puts_the_prediction_between_score_and_time():
    closer_but_slower = final_rank_key(10, 3, 90_000, T)
    faster_but_farther = final_rank_key(10, 40, 30_000, T)
    assert closer_but_slower < faster_but_farther
    assert final_rank_key(9, 0, 1, T) > faster_but_farther  # score first
    assert rank_key(10, 30_000, T) < rank_key(10, 90_000, T)


def test_names_are_masked_as_the_organizer_chooses():
    assert mask_name("Nguyễn Văn A", "initials") == "Nguyễn V. A"
    assert mask_name("Trần Thị Thu Hà", "initials") == "Trần T. T. H"
    assert mask_name("Trần Thị Thu Hà", "given") == "T. T. T. Hà"
    assert mask_name("Trần Thị Thu Hà", "full") == "Trần Thị Thu Hà"
