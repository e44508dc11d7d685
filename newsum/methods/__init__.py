"""Sentence-scoring methods, registered by name."""

from .base import Method, available_methods, get_method, method_classes, register

__all__ = ["Method", "available_methods", "get_method", "method_classes", "register"]
