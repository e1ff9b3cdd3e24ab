"""Declarative, versioned payload mappings per (event type, target system), in JMESPath."""
