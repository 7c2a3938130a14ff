package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

// TestQueryPlans_use_indexes guards the hot and list queries against a
// schema or query change that silently turns them into table scans or
// sorts.
func TestQueryPlans_use_indexes(t *testing.T) {
	s, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "x.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const inboxOrder = " ORDER BY v.live DESC, v.status_rank, v.last_message_at DESC LIMIT 10"
	tests := []struct {
		name  string
		query string
		args  []any
	}{
		{"ContactByIdentity", selectContact + ` JOIN identities k ON k.contact_id = c.id WHERE k.channel = ? AND k.external_id = ?`, []any{"a", "b"}},
		{"message by provider id", `SELECT seq FROM messages WHERE channel = ? AND provider_message_id = ? AND provider_message_id <> ''`, []any{"a", "b"}},
		{"message by idempotency key", `SELECT seq FROM messages WHERE idempotency_key = ? AND idempotency_key <> ''`, []any{"a"}},
		{"ActiveConversation", selectConversation + ` WHERE v.contact_id = ? AND v.channel = ? AND v.trashed_at IS NULL
			ORDER BY v.created_at DESC, v.seq DESC LIMIT 1`, []any{"a", "b"}},
		{"Messages", selectMessage + ` WHERE m.conversation_id = ? ORDER BY m.created_at, m.seq`, []any{"a"}},
		{"view all", selectItem + " WHERE " + viewTerms[core.ViewAll] + inboxOrder, nil},
		{"view unassigned", selectItem + " WHERE " + viewTerms[core.ViewUnassigned] + inboxOrder, nil},
		{"view mine", selectItem + " WHERE " + viewTerms[core.ViewMine] + inboxOrder, []any{"op"}},
		{"LiveCounts", `SELECT assignee_id, count(*) FROM conversations WHERE live = 1 AND assignee_id <> '' GROUP BY assignee_id`, nil},
		{"DueForAutoResolve", selectConversation + ` WHERE v.status <> 'resolved' AND v.trashed_at IS NULL AND v.quiet_since <= ?
			ORDER BY v.quiet_since LIMIT ?`, []any{1, 2}},
		{"BlobReferenced", `SELECT EXISTS (SELECT 1 FROM attachments WHERE blob = ?)`, []any{"x"}},
	}
	for _, tt := range tests {
		rows, err := s.rdb.Query("EXPLAIN QUERY PLAN "+tt.query, tt.args...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			bareScan := strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, " USING ") && step != "SCAN CONSTANT ROW"
			if bareScan || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s: plan has %q:\n%s", tt.name, step, strings.Join(plan, "\n"))
			}
		}
	}
}
