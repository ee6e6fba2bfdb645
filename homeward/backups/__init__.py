"""Backups: the database, the uploaded files and a manifest that proves them, made while the
app runs, restored into an empty installation, kept by a daily, weekly and monthly policy
(docs/operations.md)."""
