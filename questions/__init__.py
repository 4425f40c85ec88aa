"""Question-bank formats and legal texts: pure Python, no Flask, no database."""
