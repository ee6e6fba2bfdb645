"""What every app shares and that knows no app: uploads decoded and encoded anew (images),
text checks (text), form widgets and helpers (forms), the clock's days (clock), PDFs
(pdf), abuse limits (limits), outbound address checks (outbound).

Nothing here imports an app of Homeward (the import contracts in .importlinter hold it);
the apps import from here, never from each other's private names.
"""
