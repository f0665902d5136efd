"""Per-frame frontal-plane kinematics and camera view."""
