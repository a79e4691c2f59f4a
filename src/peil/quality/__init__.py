"""Data quality: the checks a source declares, run in the warehouse on every new snapshot, and the quarantine.

- :mod:`peil.quality.declarations`: the check types as Pydantic models (sources/NAME.yaml `checks:`), and the
  checks the schema implies;
- :mod:`peil.quality.identifiers`: Belgian identifiers in Python (python-stdnum, phonenumbers) and as SQL;
- :mod:`peil.quality.compile`: every row check of a dataset as one SELECT;
- :mod:`peil.quality.run`: evaluate a snapshot, record results and quality scores;
- :mod:`peil.quality.quarantine`: keep failing rows out of the current view, list and export them;
- :mod:`peil.quality.suggest`: propose checks from a dataset's profile.

docs/quality.md describes the format and the behaviour. This package imports nothing on its own: the workspace
loads the declarations while the sources package is still being imported.
"""
