"""Pose estimation backends and the pose container."""
