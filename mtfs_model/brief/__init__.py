"""The committee brief (HTML, run as a notebook with papermill) and the auditor workbook.

Entry point: :func:`mtfs_model.brief.build.brief`.
"""
