"""The old single models module, moved unchanged into the package it is split into
next (a pure rename, so `git log --follow` carries its history into the package)."""

from .companies import *  # noqa: F403
