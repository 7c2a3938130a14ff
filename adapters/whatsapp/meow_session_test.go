//go:build !nowhatsmeow

package whatsapp

import (
	"context"
	"database/sql"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

func TestSession_round_trips_through_the_hubs_database(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/switchboard.db"
	hub, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	state := core.StoreState(hub, "wa")
	dsn := func() (string, error) { return SQLiteDSN(path), nil }

	// First start: no device yet, so the channel waits for pairing.
	s := &sqlSessions{dsn: dsn, state: state, log: discardLog()}
	cl, account, err := s.open(ctx)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if account != "" {
		t.Fatalf("account = %q before pairing, want none", account)
	}
	// Pairing stores the device (whatsmeow does so on PairSuccess) and the
	// channel records which one is its own.
	dev := cl.(*whatsmeow.Client).Store
	linkedJID := types.NewADJID("12065550131", 0, 37)
	dev.ID = &linkedJID
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("details"), AccountSignatureKey: make([]byte, 32), AccountSignature: make([]byte, 64), DeviceSignature: make([]byte, 64)}
	if err := dev.Save(ctx); err != nil {
		t.Fatalf("save device: %v", err)
	}
	if err := s.linked(ctx, linkedJID); err != nil {
		t.Fatal(err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}

	// A restart finds the same device: no pairing.
	again := &sqlSessions{dsn: dsn, state: state, log: discardLog()}
	defer again.close()
	cl2, account, err := again.open(ctx)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	got := cl2.(*whatsmeow.Client)
	if account != "+12065550131" || got.Store.ID == nil || *got.Store.ID != linkedJID {
		t.Fatalf("reopened account %q device %v, want +12065550131 as %v", account, got.Store.ID, linkedJID)
	}
	if string(got.Store.IdentityKey.Pub[:]) != string(dev.IdentityKey.Pub[:]) {
		t.Fatal("the reopened device has other keys: it would need pairing again")
	}
	if !got.SynchronousAck || got.EnableAutoReconnect {
		t.Fatal("the client acknowledges before storing, or reconnects behind the driver's back")
	}
	if a, err := again.account(ctx); err != nil || a != "+12065550131" {
		t.Fatalf("account() = %q, %v", a, err)
	}

	// One file: the hub's tables and whatsmeow's side by side, the hub
	// still writing.
	db, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('whatsmeow_device', 'messages', 'channel_state')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("found %d of the tables whatsmeow_device, messages, channel_state in one file, want 3", n)
	}
	if err := state.Put(ctx, "probe", []byte("ok")); err != nil {
		t.Fatalf("the hub cannot write beside the session store: %v", err)
	}
}

func TestDispatch_events_through_a_real_unconnected_whatsmeow_client_reach_the_hub(t *testing.T) {
	e := newMeowEnv(t, "+14155550100", nil)
	container, err := sqlstore.New(context.Background(), "sqlite", SQLiteDSN(t.TempDir()+"/wa.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer container.Close()
	real := whatsmeow.NewClient(container.NewDevice(), nil)
	real.AddEventHandlerWithSuccessStatus(e.drv.onEvent)
	internals := real.DangerousInternals()

	msg := incoming("REAL1", &waE2E.Message{Conversation: s("Hi from a real client")})
	if failed := internals.DispatchEvent(msg); failed {
		t.Fatal("the driver refused the message")
	}
	m, err := e.store.MessageByProviderID(context.Background(), testChannel, "REAL1")
	if err != nil || m.Text != "Hi from a real client" {
		t.Fatalf("stored %q (%v), want the message", m.Text, err)
	}
	// Media cannot be fetched without a session: the message stays
	// unacknowledged for WhatsApp to deliver again.
	img := incoming("REAL2", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: s("image/jpeg"), DirectPath: s("/v/x")}})
	if failed := internals.DispatchEvent(img); !failed {
		t.Fatal("a message whose media could not be fetched was acknowledged")
	}
	internals.DispatchEvent(&events.Connected{})
	if h := e.adapter.Health(); h.State != HealthConnected {
		t.Fatalf("health after Connected = %+v", h)
	}
	internals.DispatchEvent(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	if h := e.adapter.Health(); h.State != HealthLoggedOut {
		t.Fatalf("health after LoggedOut = %+v", h)
	}
	internals.DispatchEvent(&events.ClientOutdated{})
	if h := e.adapter.Health(); h.State != HealthOutdated {
		t.Fatalf("health after ClientOutdated = %+v", h)
	}
}
