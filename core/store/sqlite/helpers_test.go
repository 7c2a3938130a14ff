package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// open opens a store in a fresh temporary directory, closed at cleanup.
func open(t testing.TB) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	s := openAt(t, path)
	return s, path
}

func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatalf("Open(%s) error = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// update runs fn in one Update and fails the test on error.
func update(t testing.TB, s core.Store, fn func(ctx context.Context, tx core.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update() error = %v", err)
	}
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func contact(id, channel, externalID string) core.Contact {
	return core.Contact{
		ID: id, Name: "Name " + id,
		Identities: []core.Identity{{Channel: channel, ExternalID: externalID}},
		CreatedAt:  t0, UpdatedAt: t0,
	}
}

func conversation(id, contactID, channel string) core.Conversation {
	return core.Conversation{
		ID: id, ContactID: contactID, Channel: channel, Status: core.StatusOpen,
		CreatedAt: t0, UpdatedAt: t0, LastMessageAt: t0, LastContactAt: t0,
	}
}

func message(id, conversationID, channel, providerID, text string) core.Message {
	return core.Message{
		ID: id, ConversationID: conversationID, Channel: channel, Direction: core.DirectionIn,
		Kind: core.KindMessage, Text: text, ProviderMessageID: providerID,
		Attachments: []core.Attachment{}, SentAt: t0, CreatedAt: t0,
	}
}

// seed stores a contact with one conversation on channel "crm".
func seed(t testing.TB, s core.Store, contactID, conversationID string) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx core.Tx) error {
		if err := tx.InsertContact(ctx, contact(contactID, "crm", "ext-"+contactID)); err != nil {
			return err
		}
		return tx.InsertConversation(ctx, conversation(conversationID, contactID, "crm"))
	})
}

func isNotFound(err error) bool { return errors.Is(err, core.ErrNotFound) }
