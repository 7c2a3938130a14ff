package sqlite

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-hq/switchboard/core"
)

// previewLen is how many characters of the last message a list shows.
const previewLen = 140

// The terms that select each view. They repeat the WHERE clauses of the
// partial indexes in the schema word for word, so the planner can use them.
var viewTerms = map[core.View]string{
	core.ViewMine:       `v.trashed_at IS NULL AND v.filter_reason = '' AND v.assignee_id = ?`,
	core.ViewUnassigned: `v.trashed_at IS NULL AND v.filter_reason = '' AND v.assignee_id = '' AND v.status <> 'resolved'`,
	core.ViewAll:        `v.trashed_at IS NULL AND v.filter_reason = ''`,
	core.ViewFiltered:   `v.filter_reason <> '' AND v.trashed_at IS NULL`,
	core.ViewTrash:      `v.trashed_at IS NOT NULL`,
}

// searchTerm matches conversations by message text or by their contact.
const searchTerm = `(v.id IN (SELECT m.conversation_id FROM messages_fts
		JOIN messages m ON m.seq = messages_fts.rowid WHERE messages_fts MATCH ?)
	OR v.contact_id IN (SELECT k.id FROM contacts_fts
		JOIN contacts k ON k.seq = contacts_fts.rowid WHERE contacts_fts MATCH ?))`

// selectItem is a list row: the conversation, its contact and the start of
// its last message that is not a note, one character longer than
// previewLen so truncate can tell it was cut.
const selectItem = `SELECT ` + conversationCols + `, ` + contactCols + `,
	coalesce((SELECT substr(m.text, 1, 141) FROM messages m
		WHERE m.conversation_id = v.id AND m.note = 0 AND m.deleted_at IS NULL
		ORDER BY m.created_at DESC, m.seq DESC LIMIT 1), '')
	FROM conversations v JOIN contacts c ON c.id = v.contact_id`

// Conversations lists a view, live conversations first, then by status
// (new, open, waiting, resolved), then most recent message first. Mine
// leaves resolved conversations out unless q.Statuses asks for them (they
// show only under All); an empty View means All. From is inclusive, To
// exclusive, both on the last message time. Limit defaults to 100, at most
// 1000. Text is matched as words, the last one as a prefix, and never read
// as FTS5 syntax; inside a Tx it does not see text written earlier in the
// same commit, which is indexed as the commit completes.
func (r reader) Conversations(ctx context.Context, q core.ConversationQuery) ([]core.ConversationItem, error) {
	view, where, args, err := conversationFilter(q)
	if err != nil {
		return nil, err
	}
	query := selectItem + " WHERE " + where +
		" ORDER BY v.live DESC, v.status_rank, v.last_message_at DESC LIMIT ?"
	args = append(args, limit(q.Limit, 100, 1000))

	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("conversations %s: %w", view, err)
	}
	items, err := scanAll(rows, scanItem)
	if err != nil {
		return nil, fmt.Errorf("conversations %s: %w", view, err)
	}
	contacts := make([]*core.Contact, len(items))
	for i := range items {
		contacts[i] = &items[i].Contact
	}
	if err := r.loadIdentities(ctx, contacts...); err != nil {
		return nil, fmt.Errorf("conversations %s: %w", view, err)
	}
	return items, nil
}

// CountConversations counts what Conversations would list for q without a
// limit, without loading the rows.
func (r reader) CountConversations(ctx context.Context, q core.ConversationQuery) (int, error) {
	view, where, args, err := conversationFilter(q)
	if err != nil {
		return 0, err
	}
	var n int
	err = r.q.QueryRowContext(ctx, `SELECT count(*) FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE `+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count conversations %s: %w", view, err)
	}
	return n, nil
}

// conversationFilter turns q into the WHERE clause (over conversations v
// joined with contacts c) and its arguments.
func conversationFilter(q core.ConversationQuery) (core.View, string, []any, error) {
	view := q.View
	if view == "" {
		view = core.ViewAll
	}
	term, ok := viewTerms[view]
	if !ok {
		return view, "", nil, core.Invalidf("unknown view %q (want mine, unassigned, all, filtered or trash)", q.View)
	}
	where := []string{term}
	var args []any
	if view == core.ViewMine {
		if q.Me == "" {
			return view, "", nil, core.Invalidf("the mine view needs the asking operator")
		}
		args = append(args, q.Me)
		if len(q.Statuses) == 0 {
			where = append(where, `v.status <> 'resolved'`)
		}
	}
	if len(q.Statuses) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(q.Statuses)), ", ")
		where = append(where, "v.status IN ("+ph+")")
		for _, s := range q.Statuses {
			args = append(args, string(s))
		}
	}
	if q.Channel != "" {
		where, args = append(where, "v.channel = ?"), append(args, q.Channel)
	}
	if q.Operator != "" {
		where, args = append(where, "v.assignee_id = ?"), append(args, q.Operator)
	}
	if q.Topic != "" {
		where, args = append(where, "v.topic = ? COLLATE NOCASE"), append(args, q.Topic)
	}
	if q.Group != "" {
		where, args = append(where, "v.grp = ? COLLATE NOCASE"), append(args, q.Group)
	}
	if q.Locale != "" {
		where, args = append(where, "c.locale = ? COLLATE NOCASE"), append(args, q.Locale)
	}
	if q.Live {
		where = append(where, "v.live = 1")
	}
	if !q.From.IsZero() {
		where, args = append(where, "v.last_message_at >= ?"), append(args, nanos(q.From))
	}
	if !q.To.IsZero() {
		where, args = append(where, "v.last_message_at < ?"), append(args, nanos(q.To))
	}
	if m := ftsQuery(q.Text); m != "" {
		where, args = append(where, searchTerm), append(args, m, m)
	}
	return view, strings.Join(where, " AND "), args, nil
}

func scanItem(s scanner) (core.ConversationItem, error) {
	var (
		v       conversationDest
		c       contactDest
		preview string
	)
	dest := append(v.dest(), c.dest()...)
	if err := s.Scan(append(dest, &preview)...); err != nil {
		return core.ConversationItem{}, err
	}
	contact, err := c.contact()
	if err != nil {
		return core.ConversationItem{}, err
	}
	return core.ConversationItem{Conversation: v.conversation(), Contact: contact, LastMessage: truncate(preview, previewLen)}, nil
}

// truncate shortens s to n characters, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " \n\t") + "…"
}

// Contacts lists contacts matching q.Text by name, email, phone, custom
// field values or channel ids, best match first; without text, the most
// recently updated first. Verified, From and To narrow the list (From and
// To on the contact's last message in any conversation). Limit defaults to
// 100, at most 1000.
func (r reader) Contacts(ctx context.Context, q core.ContactQuery) ([]core.Contact, error) {
	n := limit(q.Limit, 100, 1000)
	var where []string
	var args []any
	if q.Verified != nil {
		where, args = append(where, "c.verified = ?"), append(args, *q.Verified)
	}
	const last = `coalesce((SELECT max(v.last_message_at) FROM conversations v WHERE v.contact_id = c.id), 0)`
	if !q.From.IsZero() {
		where, args = append(where, last+" >= ?"), append(args, nanos(q.From))
	}
	if !q.To.IsZero() {
		where, args = append(where, last+" < ?"), append(args, nanos(q.To))
	}
	and := ""
	if len(where) > 0 {
		and = " AND " + strings.Join(where, " AND ")
	}
	query := selectContact + ` WHERE 1` + and + ` ORDER BY c.updated_at DESC, c.seq DESC LIMIT ?`
	if m := ftsQuery(q.Text); m != "" {
		query = `SELECT ` + contactCols + ` FROM contacts_fts JOIN contacts c ON c.seq = contacts_fts.rowid
			WHERE contacts_fts MATCH ?` + and + ` ORDER BY contacts_fts.rank LIMIT ?`
		args = append([]any{m}, args...)
	}
	args = append(args, n)
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	cs, err := scanAll(rows, scanContact)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	ptrs := make([]*core.Contact, len(cs))
	for i := range cs {
		ptrs[i] = &cs[i]
	}
	if err := r.loadIdentities(ctx, ptrs...); err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	return cs, nil
}
