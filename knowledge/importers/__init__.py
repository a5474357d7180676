"""Importers for the exports admins already have, recognized by content (:mod:`.detect`).

* :mod:`.pstn_csv`: Teams admin center PSTN usage export (``PSTN.calls.*.csv``, in or out of
  its ``Calls.Export.*.zip``);
* :mod:`.graph`: Microsoft Graph ``getPstnCalls`` pages, plain arrays or folders of pages;
* :mod:`.roster`: Microsoft 365 admin center Active users export, or ``upn,usage_location,licenses``.

Each yields validated :class:`~knowledge.store.records.CallRecord` / :class:`~knowledge.store.records.UserRecord`
rows or :class:`~knowledge.importers.summary.RowError` s; the store batches and commits them.
"""
