"""Renderers: turn results into JSON, terminal tables, Markdown and HTML.

Formatting only: no matching logic lives here.
"""
