package core

import (
	"context"
	"regexp"
	"strings"
)

var macroName = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)

// SaveMacro creates a macro (empty ID) or changes one. Names are lower-case
// letters, digits, '_' and '-'; only the creator or an admin may change a
// macro.
func (h *Hub) SaveMacro(ctx context.Context, actor Operator, m Macro) (Macro, error) {
	m.Name = strings.ToLower(strings.TrimSpace(m.Name))
	m.Text = strings.TrimSpace(m.Text)
	if !macroName.MatchString(m.Name) {
		return Macro{}, Invalidf("macro name %q: use 1 to 40 of a-z, 0-9, _ and -", m.Name)
	}
	if m.Text == "" {
		return Macro{}, Invalidf("a macro needs text")
	}
	err := h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if other, err := tx.MacroByName(ctx, m.Name); err == nil && other.ID != m.ID {
			return Conflictf("a macro named %q exists", m.Name)
		}
		if m.ID == "" {
			m.ID, m.CreatedBy, m.CreatedAt = h.ids.New("mac"), actor.ID, h.clock.Now()
			return tx.PutMacro(ctx, m)
		}
		old, err := h.ownMacro(ctx, tx, actor, m.ID)
		if err != nil {
			return err
		}
		m.CreatedBy, m.CreatedAt = old.CreatedBy, old.CreatedAt
		return tx.PutMacro(ctx, m)
	})
	return m, err
}

// DeleteMacro removes a macro; only its creator or an admin may.
func (h *Hub) DeleteMacro(ctx context.Context, actor Operator, id string) error {
	return h.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if _, err := h.ownMacro(ctx, tx, actor, id); err != nil {
			return err
		}
		return tx.DeleteMacro(ctx, id)
	})
}

func (h *Hub) ownMacro(ctx context.Context, tx Tx, actor Operator, id string) (Macro, error) {
	macros, err := tx.Macros(ctx)
	if err != nil {
		return Macro{}, err
	}
	for _, m := range macros {
		if m.ID == id {
			if m.CreatedBy != actor.ID && actor.Role != RoleAdmin {
				return m, Forbiddenf("only the macro's creator or an admin can change it")
			}
			return m, nil
		}
	}
	return Macro{}, NotFoundf("no macro %q", id)
}
