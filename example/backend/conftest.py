"""Make ``app`` importable whether pytest runs from the repo root or from here."""

import os
import sys
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parent
if str(BACKEND_DIR) not in sys.path:
    sys.path.insert(0, str(BACKEND_DIR))

# CORS origins are read when app.main is imported: pin them for the tests.
os.environ["CORS_ALLOW_ORIGINS"] = "http://localhost:5173"
