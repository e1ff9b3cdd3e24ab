"""The live change feed: which conversations changed, as server-sent events for the inbox (GET /ao-vivo).

`recorder` writes a `live_changes` row in the transaction of every change the inbox shows, `feed`
polls that table once per process and fans the rows out, `stream` turns them into events.
"""
