"""Exercise coaching: repetitions, holds, faults and quality of one set, offline and live.

``definitions`` reads ``kneeline/data/movements.yaml``; ``signals`` turns 2D keypoints into per-frame
features; ``events`` finds repetitions and holds causally; ``faults`` and ``quality`` judge each rep;
``session`` runs a whole video (``coach_pose`` / ``coach_video``) and ``live`` a stream of frames.
"""
