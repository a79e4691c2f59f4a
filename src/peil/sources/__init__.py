"""Read a source's files into the warehouse: delimited text, workbooks, Parquet, JSON and NDJSON.

`source_files` resolves and fingerprints a source's files; `load_into` creates one table holding the rows of all
of them, typed as the schema declares, with `_file`, `_sheet` and `_row` telling where each row came from;
`infer` proposes a source YAML for a new file, and `examine` says too what it chose for each sheet.
"""

from peil.sources.choices import SheetChoices
from peil.sources.files import SourceFile, source_files
from peil.sources.infer import Proposal, examine, infer
from peil.sources.load import LoadResult, load_into

__all__ = ["LoadResult", "Proposal", "SheetChoices", "SourceFile", "examine", "infer", "load_into", "source_files"]
