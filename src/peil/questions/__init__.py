"""Policy questions: an uncertain answer computed from estimates, data and formulas, with what drives it.

A question file (questions/<id>.yaml, :mod:`peil.questions.model`) holds a tree of factors; a run
(:mod:`peil.questions.engine`) samples it by Monte Carlo; :mod:`peil.questions.sensitivity` says which factor
to measure first; :mod:`peil.questions.history` keeps each run in the warehouse. Typical use::

    question = load("questions/piano_tuners.yaml", root)
    with read_only(workspace.warehouse_path) as con:
        result = run(question, resolver(con), samples=10_000, seed=1)
    drivers = analyse(result)
"""

from peil.questions.data import resolver
from peil.questions.engine import Histogram, Input, Run, Summary, run, summarise
from peil.questions.history import RunRecord, record_if_changed, record_run, runs
from peil.questions.model import Question, load, load_all, template
from peil.questions.sensitivity import FactorSensitivity, Sensitivity, Tornado, analyse

__all__ = [
    "FactorSensitivity",
    "Histogram",
    "Input",
    "Question",
    "Run",
    "RunRecord",
    "Sensitivity",
    "Summary",
    "Tornado",
    "analyse",
    "load",
    "load_all",
    "record_if_changed",
    "record_run",
    "resolver",
    "run",
    "runs",
    "summarise",
    "template",
]
