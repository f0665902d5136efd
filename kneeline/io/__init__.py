"""Reading inputs: videos, keypoint files (CSV, TRC) and camera models; writing the drawn sample video."""
