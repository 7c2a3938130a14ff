-- Each channel instance's own durable state: poll offsets, mailbox
-- checkpoints, opt-out lists.
CREATE TABLE channel_state (
	channel    TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	value      BLOB    NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (channel, key)
) STRICT, WITHOUT ROWID;
