"""Stages 4–5: figures, generated prose, the bibliography and what the report displays."""
