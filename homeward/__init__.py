"""Homeward: relief management stations (救助管理站) and family tracing."""

__version__ = "0.1.0"
