package core_test

import (
	"testing"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

var convT0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// convIn returns a conversation in status s, assigned to assignee, whose last
// message was at convT0.
func convIn(s core.Status, assignee string) core.Conversation {
	c := core.Conversation{ID: "cnv_1", Channel: "web", Status: s, AssigneeID: assignee,
		CreatedAt: convT0, UpdatedAt: convT0, LastMessageAt: convT0}
	if s == core.StatusResolved {
		c.ResolvedAt = ptrTo(convT0)
	}
	return c
}

func checkConvStatus(t *testing.T, c core.Conversation, want core.Status) {
	t.Helper()
	if c.Status != want {
		t.Errorf("Status got = %q, want %q", c.Status, want)
	}
	if resolved := c.ResolvedAt != nil; resolved != (want == core.StatusResolved) {
		t.Errorf("ResolvedAt got = %v with status %q", c.ResolvedAt, c.Status)
	}
}

func TestConversation_ContactWrote(t *testing.T) {
	cases := []struct {
		name     string
		from     core.Status
		assignee string
		want     core.Status
	}{
		{"new and unassigned stays in Unassigned", core.StatusNew, "", core.StatusNew},
		{"open stays open", core.StatusOpen, "op_1", core.StatusOpen},
		{"waiting needs a reply again", core.StatusWaiting, "op_1", core.StatusOpen},
		{"resolved reactivates", core.StatusResolved, "op_1", core.StatusOpen},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := convIn(tc.from, tc.assignee)
			at := convT0.Add(time.Hour)
			c.ContactWrote(at)
			checkConvStatus(t, c, tc.want)
			if c.LastContactAt != at || c.LastMessageAt != at || c.UpdatedAt != at {
				t.Errorf("times got = contact %v message %v updated %v, want %v", c.LastContactAt, c.LastMessageAt, c.UpdatedAt, at)
			}
		})
	}
}

func TestConversation_OperatorWrote(t *testing.T) {
	for _, from := range []core.Status{core.StatusNew, core.StatusOpen, core.StatusWaiting, core.StatusResolved} {
		t.Run(string(from), func(t *testing.T) {
			c := convIn(from, "op_1")
			c.LastContactAt = convT0
			at := convT0.Add(time.Hour)
			c.OperatorWrote(at)
			checkConvStatus(t, c, core.StatusWaiting)
			if c.LastMessageAt != at || c.UpdatedAt != at {
				t.Errorf("times got = message %v updated %v, want %v", c.LastMessageAt, c.UpdatedAt, at)
			}
			if c.LastContactAt != convT0 {
				t.Errorf("LastContactAt got = %v, want %v", c.LastContactAt, convT0)
			}
		})
	}
}

func TestConversation_Assign(t *testing.T) {
	cases := []struct {
		name     string
		from     core.Status
		assignee string
		to       string
		want     core.Status
	}{
		{"taking a new conversation opens it", core.StatusNew, "", "op_1", core.StatusOpen},
		{"unassigning an open one returns it to Unassigned", core.StatusOpen, "op_1", "", core.StatusNew},
		{"reassigning an open one keeps it open", core.StatusOpen, "op_1", "op_2", core.StatusOpen},
		{"unassigning a waiting one keeps it waiting", core.StatusWaiting, "op_1", "", core.StatusWaiting},
		{"assigning a resolved one keeps it resolved", core.StatusResolved, "", "op_1", core.StatusResolved},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := convIn(tc.from, tc.assignee)
			at := convT0.Add(time.Minute)
			c.Assign(tc.to, at)
			checkConvStatus(t, c, tc.want)
			if c.AssigneeID != tc.to || c.UpdatedAt != at {
				t.Errorf("got = assignee %q updated %v, want %q %v", c.AssigneeID, c.UpdatedAt, tc.to, at)
			}
		})
	}
}

func TestConversation_Assign_ends_Live_only_for_a_new_assignee(t *testing.T) {
	c := convIn(core.StatusOpen, "op_1")
	c.Live = true
	c.Assign("op_1", convT0)
	if !c.Live {
		t.Errorf("Live after assigning the same operator got = false, want true")
	}
	c.Assign("op_2", convT0)
	if c.Live {
		t.Errorf("Live after assigning another operator got = true, want false")
	}
}

func TestConversation_SetStatus(t *testing.T) {
	c := convIn(core.StatusOpen, "op_1")
	c.Live = true
	at := convT0.Add(time.Hour)
	if err := c.SetStatus(core.StatusResolved, at); err != nil {
		t.Fatalf("SetStatus resolved: %v", err)
	}
	checkConvStatus(t, c, core.StatusResolved)
	if c.Live {
		t.Errorf("Live got = true, want resolving to end it")
	}
	if *c.ResolvedAt != at {
		t.Errorf("ResolvedAt got = %v, want %v", *c.ResolvedAt, at)
	}
	if got := c.Labels(); len(got) != 0 {
		t.Errorf("Labels got = %v, want none", got)
	}

	// Resolving again keeps the first resolution time.
	if err := c.SetStatus(core.StatusResolved, at.Add(time.Hour)); err != nil {
		t.Fatalf("SetStatus resolved again: %v", err)
	}
	if *c.ResolvedAt != at {
		t.Errorf("ResolvedAt got = %v, want %v", *c.ResolvedAt, at)
	}

	if err := c.SetStatus(core.StatusWaiting, at.Add(2*time.Hour)); err != nil {
		t.Fatalf("SetStatus waiting: %v", err)
	}
	checkConvStatus(t, c, core.StatusWaiting)
}

func TestConversation_SetStatus_refuses(t *testing.T) {
	cases := []struct {
		name     string
		assignee string
		to       core.Status
		want     string
	}{
		{"new with an assignee", "op_1", core.StatusNew, "an assigned conversation cannot be new; unassign it first"},
		{"an unknown status", "", core.Status("closed"), `unknown status "closed" (want new, open, waiting or resolved)`},
		{"a status in the wrong case", "", core.Status("OPEN"), `unknown status "OPEN" (want new, open, waiting or resolved)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := convIn(core.StatusOpen, tc.assignee)
			before := c
			err := c.SetStatus(tc.to, convT0.Add(time.Hour))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("SetStatus(%q) error got = %v, want %q", tc.to, err, tc.want)
			}
			if code := core.ErrorCode(err); code != core.CodeInvalid {
				t.Errorf("ErrorCode got = %q, want %q", code, core.CodeInvalid)
			}
			if c != before {
				t.Errorf("a refused SetStatus changed the conversation: got = %+v, want %+v", c, before)
			}
		})
	}
	c := convIn(core.StatusOpen, "")
	if err := c.SetStatus(core.StatusNew, convT0); err != nil || c.Status != core.StatusNew {
		t.Errorf("SetStatus new without assignee got = %q, %v, want new", c.Status, err)
	}
}

func TestConversation_AutoResolveDue(t *testing.T) {
	const after = 30 * 24 * time.Hour
	cases := []struct {
		name string
		c    core.Conversation
		now  time.Time
		want bool
	}{
		{"exactly 30 days", convIn(core.StatusWaiting, "op_1"), convT0.Add(after), true},
		{"a nanosecond short", convIn(core.StatusWaiting, "op_1"), convT0.Add(after - time.Nanosecond), false},
		{"long quiet", convIn(core.StatusOpen, "op_1"), convT0.Add(2 * after), true},
		{"new too", convIn(core.StatusNew, ""), convT0.Add(after), true},
		{"resolved is never due", convIn(core.StatusResolved, "op_1"), convT0.Add(10 * after), false},
		{"without messages counts from creation",
			core.Conversation{Status: core.StatusNew, CreatedAt: convT0}, convT0.Add(after), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.AutoResolveDue(tc.now, after); got != tc.want {
				t.Errorf("AutoResolveDue got = %v, want %v", got, tc.want)
			}
		})
	}
	if convIn(core.StatusOpen, "").AutoResolveDue(convT0.AddDate(10, 0, 0), 0) {
		t.Errorf("AutoResolveDue with after 0 got = true, want false (disabled)")
	}
}

func TestConversation_Labels(t *testing.T) {
	c := convIn(core.StatusOpen, "op_1")
	if got := c.Labels(); got == nil || len(got) != 0 {
		t.Errorf("Labels got = %#v, want an empty list", got)
	}
	c.Live = true
	if got := c.Labels(); len(got) != 1 || got[0] != core.LabelLive {
		t.Errorf("Labels got = %v, want [%s]", got, core.LabelLive)
	}
}

func TestParseStatus(t *testing.T) {
	cases := []struct {
		in   string
		want core.Status
	}{
		{"new", core.StatusNew},
		{"Open", core.StatusOpen},
		{"WAITING", core.StatusWaiting},
		{" resolved ", core.StatusResolved},
	}
	for _, tc := range cases {
		got, err := core.ParseStatus(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseStatus(%q) got = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
	for in, want := range map[string]string{
		"closed": `unknown status "closed" (want new, open, waiting or resolved)`,
		"":       `unknown status "" (want new, open, waiting or resolved)`,
	} {
		_, err := core.ParseStatus(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseStatus(%q) error got = %v, want %q", in, err, want)
		}
		if code := core.ErrorCode(err); code != core.CodeInvalid {
			t.Errorf("ParseStatus(%q) ErrorCode got = %q, want %q", in, code, core.CodeInvalid)
		}
	}
}
