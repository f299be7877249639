"""Names in lib/movers that only a program outside the project uses: vulture (tools/dead_code.py) reads this
file with the package and counts each name below as used. Keep one line per name, with who uses it; a name
used by a chapter, a test or a tool needs no entry (those are scanned)."""

# ruff: noqa: F821, B018  (the names are only read by vulture, never run)

# Sphinx and docutils read a transform's priority from its class (movers.book.latex's post-transforms)
_.default_priority

# zipfile writes an entry with the compression set on its ZipInfo (movers.data.refiqda.write_qdpx)
_.compress_type

# pooch calls a downloader with this keyword (movers.fetch's resumable downloader keeps pooch's signature)
pooch_obj

# Python calls a module's __getattr__ for a name it lacks (PEP 562): the flows modules read their model lists
# on first use through it (movers.strands.flows.models, .public, .yearly), so importing reads no file
__getattr__
