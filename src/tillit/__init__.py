"""Tillit: prevent, detect and handle welfare crime in Swedish municipalities."""
