"""`python -m bench`: ratios of our code against baselines, measured side by side in one run (issue #8)."""
