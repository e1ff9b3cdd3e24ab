"""Module 5: incremental syncs between the Carinho systems, with watermarks and a row per run."""
