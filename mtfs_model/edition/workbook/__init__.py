"""The edition as a workbook: export a folder to one ``.xlsx``, import a book back to a folder,
and roll an edition forward to next year's.

The folder (``mtfs_model.edition``) is the source of truth; this subpackage is a view of it that
sits above it (the import contract ``book-apart-from-folder``): the book's modules may read the
folder's, never the other way round.

- ``export``: the folder to a workbook (XlsxWriter), one value per cell.
- ``importer``: a workbook back to a folder, every problem at once, one line each.
- ``container``: the checks before trust (zip, parts, sizes, limits) and the bounded reader.
- ``book_cells``: the cells, sheets, notes and formulas the reader returns, and which formulas are refused.
- ``layout``, ``plan``, ``sheets``: where each file's values sit on which sheet.
- ``comments``: TOML comments to cell notes and back.
- ``textpatch``: each file as written, carried in the book and patched only where it changed.
- ``rollforward``: next year's edition from the last.
- ``folder_write``: writing the folder atomically beside its target.
"""
