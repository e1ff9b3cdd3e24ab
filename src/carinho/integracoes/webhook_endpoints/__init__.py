"""Outbound webhook endpoints: where the hub delivers events, signed with a `whsec_` secret."""
