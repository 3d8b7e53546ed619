"""Recognise a cliché: a model trained on the content decides, rapidfuzz explains."""

from bot.matching.matcher import (
    Candidate,
    ChatKind,
    Decision,
    Kind,
    Matcher,
    Thresholds,
)

__all__ = ["Candidate", "ChatKind", "Decision", "Kind", "Matcher", "Thresholds"]
