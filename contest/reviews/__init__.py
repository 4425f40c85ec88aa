"""Review flags ("cần rà soát"): questions whose article changed after they were written."""
