"""Batches: many videos analysed by a few workers, each keeping one pose model loaded.

``manifest`` turns a folder or a CSV manifest into :class:`~kneeline.batch.manifest.BatchItem` rows
(a bad row fails alone, with its reason); ``worker`` analyses one item into its own output folder
(skipping a folder that is already complete); ``engines`` runs the items on this machine
(``local``) or on a Ray cluster (``ray``: one actor per worker); ``summary`` writes ``summary.csv``.
Import from the submodules; importing this package loads nothing (Ray is imported only by the Ray
engine).
"""
