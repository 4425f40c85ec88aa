"""The demo contest: one province's agencies, a bank from the law, rounds and live boards."""
