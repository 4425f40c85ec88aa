"""A round's results from the close on: its lifecycle, settling, corrections."""
