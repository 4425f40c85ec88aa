"""Round statistics for judges and organizers: entries, scores, agencies and item analysis."""
