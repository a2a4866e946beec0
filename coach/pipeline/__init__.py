"""The use cases that pages and the CLI call: analyse a photo, a batch, a clip or a
gold photo, and save sessions."""
