"""The live final (hội thi sân khấu hóa): events, segments, the host's console, the projector and phones."""
