"""Loaded first (`-p tests.isolation` in pyproject's addopts), before Django reads its
settings: the test run gets a var/ folder of its own, so its database file, cache, job
queue, uploads, outboxes and DNA index never touch a `make run` beside it.

HOMEWARD_TEST_VAR_DIR names the folder to use instead (to look at what a run wrote);
otherwise a fresh temporary one is made and removed at the end.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_chosen = os.environ.get("HOMEWARD_TEST_VAR_DIR")
if _chosen:
    os.environ["HOMEWARD_VAR_DIR"] = _chosen
else:
    _made = tempfile.mkdtemp(prefix="homeward-test-var-")
    os.environ["HOMEWARD_VAR_DIR"] = _made
    atexit.register(shutil.rmtree, _made, ignore_errors=True)
# A deployment's own settings for these would point the tests at its folders too.
for _name in ("CACHE_DIR", "DNA_INDEX_DIR", "HUEY_FILE", "MEDIA_ROOT", "STATIC_ROOT", "SMS_OUTBOX"):
    os.environ.pop(_name, None)
