-- 0001: the initial schema.
--
-- Conventions: times are INTEGER unix nanoseconds, 0 meaning "unset" for
-- NOT NULL columns and NULL for optional ones; booleans are 0/1; ids are the
-- core's TEXT ids. Tables searched with FTS5 carry an INTEGER PRIMARY KEY
-- (seq) so their rowids survive VACUUM.

CREATE TABLE contacts (
	seq        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	name       TEXT    NOT NULL DEFAULT '',
	email      TEXT    NOT NULL DEFAULT '',
	phone      TEXT    NOT NULL DEFAULT '',
	locale     TEXT    NOT NULL DEFAULT '',
	blocked    INTEGER NOT NULL DEFAULT 0,
	verified   INTEGER NOT NULL DEFAULT 0,
	fields     TEXT    NOT NULL DEFAULT '', -- JSON object of strings, '' when empty
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX contacts_updated ON contacts (updated_at DESC);

CREATE TABLE identities (
	seq         INTEGER PRIMARY KEY,
	contact_id  TEXT    NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	channel     TEXT    NOT NULL,
	external_id TEXT    NOT NULL,
	verified    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (channel, external_id)
) STRICT;

CREATE INDEX identities_contact ON identities (contact_id);

-- The core inserts a new conversation's first message before the
-- conversation itself, and a deferred foreign key would let one caller's
-- dangling row fail a whole group commit; so messages carry no foreign key
-- and the store deletes them explicitly with their conversation.
CREATE TABLE conversations (
	seq             INTEGER PRIMARY KEY,
	id              TEXT    NOT NULL UNIQUE,
	contact_id      TEXT    NOT NULL REFERENCES contacts (id),
	channel         TEXT    NOT NULL,
	status          TEXT    NOT NULL,
	live            INTEGER NOT NULL DEFAULT 0,
	topic           TEXT    NOT NULL DEFAULT '',
	assignee_id     TEXT    NOT NULL DEFAULT '',
	grp             TEXT    NOT NULL DEFAULT '',
	filter_reason   TEXT    NOT NULL DEFAULT '',
	trashed_at      INTEGER,
	thread_key      TEXT    NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	last_message_at INTEGER NOT NULL DEFAULT 0,
	last_contact_at INTEGER NOT NULL DEFAULT 0,
	resolved_at     INTEGER,
	-- The inbox order: new, open, waiting, resolved.
	status_rank     INTEGER GENERATED ALWAYS AS (
		CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 1 WHEN 'waiting' THEN 2 WHEN 'resolved' THEN 3 ELSE 4 END
	) VIRTUAL,
	-- When the conversation went quiet: its last message, or its creation.
	quiet_since     INTEGER GENERATED ALWAYS AS (
		CASE last_message_at WHEN 0 THEN created_at ELSE last_message_at END
	) VIRTUAL
) STRICT;

CREATE INDEX conversations_contact ON conversations (contact_id, channel, created_at);
CREATE INDEX conversations_inbox ON conversations (live DESC, status_rank, last_message_at DESC)
	WHERE trashed_at IS NULL AND filter_reason = '';
CREATE INDEX conversations_assignee ON conversations (assignee_id, live DESC, status_rank, last_message_at DESC)
	WHERE trashed_at IS NULL;
CREATE INDEX conversations_filtered ON conversations (last_message_at DESC)
	WHERE filter_reason <> '' AND trashed_at IS NULL;
CREATE INDEX conversations_trash ON conversations (trashed_at DESC)
	WHERE trashed_at IS NOT NULL;
CREATE INDEX conversations_quiet ON conversations (quiet_since)
	WHERE status <> 'resolved' AND trashed_at IS NULL;
CREATE INDEX conversations_live ON conversations (assignee_id, last_contact_at)
	WHERE live = 1;

CREATE TABLE messages (
	seq                 INTEGER PRIMARY KEY,
	id                  TEXT    NOT NULL UNIQUE,
	conversation_id     TEXT    NOT NULL,
	channel             TEXT    NOT NULL,
	direction           TEXT    NOT NULL,
	kind                TEXT    NOT NULL,
	text                TEXT    NOT NULL DEFAULT '',
	note                INTEGER NOT NULL DEFAULT 0,
	author              TEXT    NOT NULL DEFAULT '',
	status              TEXT    NOT NULL DEFAULT '',
	error               TEXT    NOT NULL DEFAULT '',
	attempts            INTEGER NOT NULL DEFAULT 0,
	provider_message_id TEXT    NOT NULL DEFAULT '',
	idempotency_key     TEXT    NOT NULL DEFAULT '',
	thread_key          TEXT    NOT NULL DEFAULT '',
	masked              INTEGER NOT NULL DEFAULT 0,
	attachments         INTEGER NOT NULL DEFAULT 0, -- how many rows in attachments
	deleted_at          INTEGER,
	edited_at           INTEGER,
	sent_at             INTEGER NOT NULL,
	created_at          INTEGER NOT NULL
) STRICT;

-- Queries must repeat the "<> ''" term for the planner to use these.
CREATE UNIQUE INDEX messages_provider ON messages (channel, provider_message_id)
	WHERE provider_message_id <> '';
CREATE UNIQUE INDEX messages_idempotency ON messages (idempotency_key)
	WHERE idempotency_key <> '';
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);

CREATE TABLE attachments (
	message_id TEXT    NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	filename   TEXT    NOT NULL DEFAULT '',
	mime_type  TEXT    NOT NULL DEFAULT '',
	size       INTEGER NOT NULL DEFAULT 0,
	blob       TEXT    NOT NULL,
	voice      INTEGER NOT NULL DEFAULT 0,
	flagged    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (message_id, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX attachments_blob ON attachments (blob);

-- Full-text search. Message text is indexed from the messages table itself
-- (external content); contact fields are copied, with the values of custom
-- fields and every identity's external id, into a table of their own.
--
-- Rows are not indexed by the statement that writes them: FTS5 flushes its
-- pending terms to disk at every savepoint, and group commit opens one per
-- caller, so indexing inline would write a tiny segment per message. The
-- triggers queue the rowid in a *_fts_pending table instead and the writer
-- indexes the queue once per commit, in the same transaction, so search is
-- in step with every commit.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
	text,
	content = 'messages',
	content_rowid = 'seq',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE messages_fts_pending (seq INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts_pending (seq) VALUES (new.seq);
END;
-- An external-content index must be told the old text of an indexed row;
-- a row still queued is simply dropped from the queue.
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, text)
		SELECT 'delete', old.seq, old.text
		WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE seq = old.seq);
	DELETE FROM messages_fts_pending WHERE seq = old.seq;
END;
-- Status updates rewrite text unchanged; only a real edit is reindexed.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
	WHEN old.text IS NOT new.text
		AND NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE seq = old.seq)
BEGIN
	INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
	INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
END;

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
	name, email, phone, fields, identities,
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE contacts_fts_pending (seq INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
	INSERT OR IGNORE INTO contacts_fts_pending (seq) VALUES (new.seq);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email, phone, fields ON contacts
	WHEN old.name IS NOT new.name OR old.email IS NOT new.email
		OR old.phone IS NOT new.phone OR old.fields IS NOT new.fields
BEGIN
	INSERT OR IGNORE INTO contacts_fts_pending (seq) VALUES (new.seq);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
	DELETE FROM contacts_fts WHERE rowid = old.seq;
	DELETE FROM contacts_fts_pending WHERE seq = old.seq;
END;
CREATE TRIGGER identities_fts_insert AFTER INSERT ON identities BEGIN
	INSERT OR IGNORE INTO contacts_fts_pending (seq) SELECT seq FROM contacts WHERE id = new.contact_id;
END;
CREATE TRIGGER identities_fts_delete AFTER DELETE ON identities BEGIN
	INSERT OR IGNORE INTO contacts_fts_pending (seq) SELECT seq FROM contacts WHERE id = old.contact_id;
END;

CREATE TABLE operators (
	id            TEXT    PRIMARY KEY,
	email         TEXT    NOT NULL COLLATE NOCASE UNIQUE,
	name          TEXT    NOT NULL DEFAULT '',
	role          TEXT    NOT NULL,
	slots         INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT    NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE operator_groups (
	operator_id TEXT    NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL,
	name        TEXT    NOT NULL,
	PRIMARY KEY (operator_id, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX operator_groups_name ON operator_groups (name);

CREATE TABLE sessions (
	token_hash  TEXT    PRIMARY KEY,
	operator_id TEXT    NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	expires_at  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_operator ON sessions (operator_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE macros (
	id         TEXT    PRIMARY KEY,
	name       TEXT    NOT NULL COLLATE NOCASE UNIQUE,
	text       TEXT    NOT NULL,
	created_by TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE notifications (
	id              TEXT    PRIMARY KEY,
	operator_id     TEXT    NOT NULL,
	type            TEXT    NOT NULL,
	conversation_id TEXT    NOT NULL DEFAULT '',
	text            TEXT    NOT NULL DEFAULT '',
	read            INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX notifications_operator ON notifications (operator_id, created_at DESC);
CREATE INDEX notifications_conversation ON notifications (conversation_id)
	WHERE conversation_id <> '';

-- AUTOINCREMENT: ids are never reused, so a relay's "after" cursor cannot
-- skip a record that reuses the id of one already handled.
CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	topic      TEXT    NOT NULL,
	key        TEXT    NOT NULL DEFAULT '',
	payload    BLOB    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE poisoned (
	id         TEXT    PRIMARY KEY,
	topic      TEXT    NOT NULL,
	key        TEXT    NOT NULL DEFAULT '',
	handler    TEXT    NOT NULL DEFAULT '',
	reason     TEXT    NOT NULL DEFAULT '',
	payload    BLOB    NOT NULL,
	message_id TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX poisoned_created ON poisoned (created_at DESC);

CREATE TABLE event_deliveries (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id    TEXT    NOT NULL,
	event_type  TEXT    NOT NULL,
	url         TEXT    NOT NULL,
	attempt     INTEGER NOT NULL,
	status_code INTEGER NOT NULL DEFAULT 0,
	error       TEXT    NOT NULL DEFAULT '',
	duration_ns INTEGER NOT NULL DEFAULT 0,
	at          INTEGER NOT NULL
) STRICT;

CREATE INDEX event_deliveries_event ON event_deliveries (event_id, id DESC);
CREATE INDEX event_deliveries_url ON event_deliveries (url, id DESC);
