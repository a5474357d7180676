"""The Teams app: its manifest template (``manifest.json``), French localization (``fr.json``),
icons, and the code that builds the package an admin uploads (:mod:`manifest.packaging`).

A Python package so the template and icons ship as package data with the build code and
``callplan package`` works from an installed project, not only from a checkout. The JSON
schemas it validates against come from the pinned npm package in ``node_modules`` here
(``make schemas``).
"""
