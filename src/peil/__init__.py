"""peil: data-driven policy for local government.

One data flow: sources -> store (versioned snapshots) -> quality -> models and indicators -> reports.
"""

__version__ = "0.1.0"
