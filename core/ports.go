package core

import (
	"context"
	"errors"
	"io"
	"time"
)

// Store keeps everything durable. Implementations live in core/store/...
type Store interface {
	// Update runs fn in a write transaction and returns once its writes are
	// durably committed (or discarded, if fn or the commit failed).
	//
	// Writes of concurrent callers may share one commit (group commit), so fn
	// may run on another goroutine, must not block on anything but tx, and
	// must not keep tx after it returns. If fn returns an error its writes
	// are rolled back and Update returns that error; other callers' writes
	// in the same commit are unaffected. Calls are applied in the order they
	// were made by any one goroutine.
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	Reader
	Outbox
	Close() error
}

// Reader answers queries. Missing rows are errors wrapping ErrNotFound.
type Reader interface {
	Contact(ctx context.Context, id string) (Contact, error)
	ContactByIdentity(ctx context.Context, channel, externalID string) (Contact, error)
	Contacts(ctx context.Context, q ContactQuery) ([]Contact, error)
	Conversation(ctx context.Context, id string) (Conversation, error)
	Conversations(ctx context.Context, q ConversationQuery) ([]ConversationItem, error)
	// ContactConversations lists a contact's conversations, newest first.
	ContactConversations(ctx context.Context, contactID string) ([]Conversation, error)
	// Messages returns a conversation's transcript in order, notes included.
	Messages(ctx context.Context, conversationID string) ([]Message, error)
	Message(ctx context.Context, id string) (Message, error)
	MessageByProviderID(ctx context.Context, channel, providerID string) (Message, error)
	MessageByIdempotencyKey(ctx context.Context, key string) (Message, error)
	Operator(ctx context.Context, id string) (Operator, error)
	OperatorByEmail(ctx context.Context, email string) (Operator, error)
	Operators(ctx context.Context) ([]Operator, error)
	Session(ctx context.Context, tokenHash string) (Session, error)
	Macros(ctx context.Context) ([]Macro, error)
	MacroByName(ctx context.Context, name string) (Macro, error)
	Notifications(ctx context.Context, operatorID string, limit int) ([]Notification, error)
	Poisoned(ctx context.Context) ([]Poisoned, error)
	PoisonedByID(ctx context.Context, id string) (Poisoned, error)
	EventDeliveries(ctx context.Context, q EventDeliveryQuery) ([]EventDelivery, error)
	// LiveCounts returns, per operator id, how many live conversations are
	// assigned to them (the chat slots they use).
	LiveCounts(ctx context.Context) (map[string]int, error)
	// DueForAutoResolve lists unresolved, untrashed conversations whose last
	// message (or creation, without messages) is at or before t.
	DueForAutoResolve(ctx context.Context, t time.Time, limit int) ([]Conversation, error)
	// LiveIdleSince lists live conversations whose contact has not written
	// since t.
	LiveIdleSince(ctx context.Context, t time.Time) ([]Conversation, error)
	// BlobReferenced reports whether any stored message still refers to a blob.
	BlobReferenced(ctx context.Context, ref string) (bool, error)
	// ChannelState returns a channel instance's value for key, or an error
	// wrapping ErrNotFound.
	ChannelState(ctx context.Context, channel, key string) ([]byte, error)
}

// Tx is a write transaction. Its reads see its own writes.
type Tx interface {
	Reader
	// ActiveConversation returns the contact's most recent untrashed
	// conversation on channel, resolved or not.
	ActiveConversation(ctx context.Context, contactID, channel string) (Conversation, error)

	// InsertContact stores a new contact with its identities.
	InsertContact(ctx context.Context, c Contact) error
	// UpdateContact replaces the contact's fields (not its identities).
	UpdateContact(ctx context.Context, c Contact) error
	// AddIdentity links an identity to a contact; an identity already
	// linked to another contact is a conflict.
	AddIdentity(ctx context.Context, contactID string, id Identity) error
	// EraseContact deletes the contact, every conversation, message,
	// attachment record and search entry of theirs, and returns the blob
	// references those messages held.
	EraseContact(ctx context.Context, contactID string) (blobs []string, err error)

	InsertConversation(ctx context.Context, c Conversation) error
	UpdateConversation(ctx context.Context, c Conversation) error
	// DeleteConversation removes a conversation and its messages for good
	// and returns the blob references those messages held.
	DeleteConversation(ctx context.Context, id string) (blobs []string, err error)

	// InsertMessage stores a message and indexes its text for search. A
	// second message with the same (Channel, ProviderMessageID) or the same
	// IdempotencyKey fails with an error for which IsDuplicate is true.
	InsertMessage(ctx context.Context, m Message) error
	// UpdateMessage replaces a message's mutable fields: text, status,
	// error, attempts, provider id, deleted and edited times.
	UpdateMessage(ctx context.Context, m Message) error
	DeleteMessage(ctx context.Context, id string) error

	InsertOperator(ctx context.Context, o Operator) error
	UpdateOperator(ctx context.Context, o Operator) error
	InsertSession(ctx context.Context, s Session) error
	DeleteSession(ctx context.Context, tokenHash string) error

	PutMacro(ctx context.Context, m Macro) error
	DeleteMacro(ctx context.Context, id string) error
	InsertNotification(ctx context.Context, n Notification) error

	// Enqueue adds a record to the outbox; it is published after commit.
	Enqueue(ctx context.Context, r OutboxRecord) error
	InsertPoisoned(ctx context.Context, p Poisoned) error
	DeletePoisoned(ctx context.Context, id string) error
	InsertEventDelivery(ctx context.Context, d EventDelivery) error
	PutChannelState(ctx context.Context, channel, key string, value []byte) error
	DeleteChannelState(ctx context.Context, channel, key string) error
}

// DuplicateError reports a unique key clash on insert.
type DuplicateError struct{ Key string }

func (e *DuplicateError) Error() string { return "duplicate " + e.Key }

// ErrorCode is CodeConflict.
func (e *DuplicateError) ErrorCode() Code { return CodeConflict }

// IsDuplicate reports whether err is a unique key clash.
func IsDuplicate(err error) bool {
	var d *DuplicateError
	return errors.As(err, &d)
}

// Outbox is the transactional outbox: records enqueued in a committed Tx,
// published to the bus by a relay, and removed once handled.
type Outbox interface {
	// OutboxPending returns up to limit records with ID > after, oldest first.
	OutboxPending(ctx context.Context, after int64, limit int) ([]OutboxRecord, error)
	// OutboxDone removes handled records.
	OutboxDone(ctx context.Context, ids []int64) error
	// OutboxSignal receives a value after a commit that enqueued records.
	OutboxSignal() <-chan struct{}
}

// OutboxRecord is one message waiting for the bus.
type OutboxRecord struct {
	ID    int64
	Topic string
	// Key orders records: those with one key are handled in ID order. It is
	// the conversation id where there is one.
	Key       string
	Payload   []byte
	CreatedAt time.Time
}

// Poisoned is a bus message that exhausted its retries or could not be
// handled, kept so operators can see it and re-drive it.
type Poisoned struct {
	ID        string    `json:"id"`
	Topic     string    `json:"topic"`
	Key       string    `json:"key,omitempty"`
	Handler   string    `json:"handler"`
	Reason    string    `json:"reason"`
	Payload   []byte    `json:"payload"`
	MessageID string    `json:"message_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// EventDelivery is one attempt to deliver an event to an external webhook.
type EventDelivery struct {
	ID         int64         `json:"id"`
	EventID    string        `json:"event_id"`
	EventType  string        `json:"event_type"`
	URL        string        `json:"url"`
	Attempt    int           `json:"attempt"`
	StatusCode int           `json:"status_code,omitempty"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	At         time.Time     `json:"at"`
}

// EventDeliveryQuery filters the delivery log.
type EventDeliveryQuery struct {
	EventID string
	URL     string
	Limit   int
}

// View is a named list of conversations in the inbox.
type View string

// Views. All holds every conversation, active or resolved, except Filtered
// and Trash.
const (
	ViewMine       View = "mine"
	ViewUnassigned View = "unassigned"
	ViewAll        View = "all"
	ViewFiltered   View = "filtered"
	ViewTrash      View = "trash"
)

// ConversationQuery selects conversations for a view.
type ConversationQuery struct {
	View View
	// Me is the asking operator (for ViewMine).
	Me       string
	Statuses []Status
	Channel  string
	Operator string
	// Text matches message text and the contact's name, email and phone.
	Text  string
	From  time.Time
	To    time.Time
	Limit int
	// Topic, Group and Locale (the contact's), when set, keep only
	// conversations that match them exactly, ignoring case.
	Topic  string
	Group  string
	Locale string
	// Live keeps only LIVE conversations.
	Live bool
}

// ConversationItem is a row of a conversation list.
type ConversationItem struct {
	Conversation
	Contact     Contact
	LastMessage string
}

// ContactQuery selects contacts.
type ContactQuery struct {
	Text  string
	Limit int
	// Verified, when set, keeps only verified (true) or unverified (false)
	// contacts.
	Verified *bool
	// From (inclusive) and To (exclusive), when set, bound the time of the
	// contact's last message in any of their conversations.
	From time.Time
	To   time.Time
}

// BlobStore keeps attachment bytes, addressed by content.
type BlobStore interface {
	// Put streams r into the store, refusing (with an error whose code is
	// CodeTooLarge) more than limit bytes, and sniffs the MIME type from the
	// bytes. Putting the same bytes twice yields the same Ref.
	Put(ctx context.Context, r io.Reader, limit int64) (Blob, error)
	Open(ctx context.Context, ref string) (io.ReadCloser, error)
	Delete(ctx context.Context, ref string) error
}

// Blob describes stored bytes.
type Blob struct {
	Ref      string
	Size     int64
	MIMEType string
}

// Clock tells the time; tests inject a fake one.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// IDs makes new unique ids with a type prefix ("msg", "cnv").
type IDs interface{ New(prefix string) string }
