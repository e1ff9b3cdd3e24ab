"""What the operators watch: throughput of the lanes, ingest per source, deliveries per target."""
