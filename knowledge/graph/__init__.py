"""Microsoft Graph, read on a schedule: app-only tokens (msal), users, licences and PSTN calls.

* :mod:`.client`: one tenant's Graph session: token, paging, throttling, 90-day windows;
* :mod:`.sync`: turns what Graph returns into a roster snapshot and call records, through the
  same importer code as a file import, and remembers how far each tenant was synced.

Free of botbuilder (like all of ``knowledge``): the CLI and the bot's scheduler both use it.
"""
