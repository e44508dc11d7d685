"""Imported by the worker pool's forkserver: newsum loaded and warmed once, before any fork."""

from .work import warm_up

warm_up()
