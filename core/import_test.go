package core_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

func TestImportContacts_creates_merges_and_reports_skipped_rows(t *testing.T) {
	f := newFixture(t)
	admin := f.operator(t, "admin@example.com", core.RoleAdmin)
	ctx := context.Background()
	// An existing contact with an email address, known from the channel.
	rcpt := f.receive(t, "m1", "ext-1", "hello")
	if _, err := f.hub.UpdateContact(ctx, admin, rcpt.ContactID, core.ContactPatch{Email: new("ada@example.com")}); err != nil {
		t.Fatal(err)
	}

	res, err := f.hub.ImportContacts(ctx, admin, []core.ContactRow{
		{Line: 2, Name: "Grace Hopper", Email: "Grace@Example.com", Phone: "+1 555 0100", Fields: map[string]string{"company": "Navy"}},
		{Line: 3, Name: "Someone Else", Email: "ADA@example.com", Locale: "en-GB", Fields: map[string]string{"plan": "gold"}},
		{Line: 4, Email: "not an address"},
		{Line: 5},
		{Line: 6, Name: "Grace again", Email: "grace@example.com", Locale: "en-US"},
	})
	if err != nil {
		t.Fatalf("ImportContacts() error = %v", err)
	}
	if res.Created != 1 || res.Merged != 2 {
		t.Errorf("created, merged got = %d, %d, want 1, 2", res.Created, res.Merged)
	}
	wantSkipped := []core.ImportSkip{{Line: 4, Reason: `"not an address" is not an email address`}, {Line: 5, Reason: "the row has no name, email or phone"}}
	if !reflect.DeepEqual(res.Skipped, wantSkipped) {
		t.Errorf("skipped got = %+v, want %+v", res.Skipped, wantSkipped)
	}

	ada, err := f.store.Contact(ctx, rcpt.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if ada.Name != "Contact ext-1" || ada.Locale != "en-GB" || ada.Fields["plan"] != "gold" {
		t.Errorf("merged contact = %+v, want its name kept and locale and plan filled in", ada)
	}
	found, err := f.store.Contacts(ctx, core.ContactQuery{Text: "grace"})
	if err != nil || len(found) != 1 {
		t.Fatalf("Contacts(grace) = %v, %v; want one contact", found, err)
	}
	g := found[0]
	if g.Email != "grace@example.com" || g.Phone != "+1 555 0100" || g.Locale != "en-US" || g.Fields["company"] != "Navy" || len(g.Identities) != 0 {
		t.Errorf("imported contact = %+v", g)
	}
}

func TestImportContacts_is_for_admins(t *testing.T) {
	f := newFixture(t)
	op := f.operator(t, "ann@example.com", core.RoleOperator)
	_, err := f.hub.ImportContacts(context.Background(), op, []core.ContactRow{{Line: 2, Name: "X"}})
	if core.ErrorCode(err) != core.CodeForbidden {
		t.Errorf("error = %v, want forbidden", err)
	}
}
