"""Statistical disclosure control: the one output checker every restricted output passes through.

Why one checker: a researcher in the UK Data Service SecureLab or the ONS SRS takes the book's pages to
output checkers, who reject anything disclosive. Ad hoc suppression in each chapter leaked: prose glued
from unsuppressed tables, shares counted on the wrong number of people, withheld cells recoverable by
subtraction from totals. Here each kind of output has one check, with the rules of ``data/sdc_rules.yml``,
and the checker keeps a record of what it did for the output checkers.

The modules, each importing only those above it:

- ``rules``: the rules (``data/sdc_rules.yml``, ACRO's defaults), the reasons a page may give, the ``[c]`` mark;
- ``suppression``: the checks as pure functions on a table's cells: primary suppression, dominance, relations
  between cells (totals a reader knows), what a reader can recover by subtraction, secondary suppression;
- ``redact``: what may leave the lab besides checked outputs: scrubbed messages and failed notebooks, path
  parameters redacted, a model that cannot be estimated withheld (``estimable``) instead of a crash;
- ``checker``: the ``Checker`` of one chapter run (tables, shares, descriptives, magnitudes, regressions, figures,
  counts of people across the page, the numbers prose may use);
- ``record``: a run's record for the output checkers (``record.json``, ``cells.csv``, ACRO's ``results.json``),
  where it is kept (``start_run``) and the banner a page shows;
- ``audit``: an auditor of rendered pages, independent of the checker's decisions.
"""
