"""`ansible-codegen bench`: speed and memory figures, each beside baselines measured in the same run."""
