"""The conversation: question catalog, state machine, parsing, replies, charts."""
