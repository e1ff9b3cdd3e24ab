"""The lead funnel (FunnelService), loss reasons, proposals and contracts sent by e-mail."""
