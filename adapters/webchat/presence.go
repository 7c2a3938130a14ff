package webchat

import (
	"context"
	"slices"

	"github.com/switchboard-hq/switchboard/core"
)

// operatorsOnline reports whether an operator who can take the widget's
// conversations (of its group, when it has one) is online, from a check at
// most one presence tick old.
func (a *Adapter) operatorsOnline(ctx context.Context) bool {
	if a.now().UnixNano()-a.checkedAt.Load() < int64(a.cfg.PresenceTick) {
		return a.online.Load() == 2
	}
	return a.checkPresence(ctx)
}

// checkPresence asks the hub who is online and tells every visitor when
// that changed. It also refreshes the operator names messages show.
func (a *Adapter) checkPresence(ctx context.Context) bool {
	a.presMu.Lock()
	defer a.presMu.Unlock()
	statuses, err := a.hub().OperatorStatuses(ctx)
	if err != nil {
		a.log.Warn("operator presence", "err", err)
		return a.online.Load() == 2
	}
	online := false
	for _, s := range statuses {
		a.names.Store(s.ID, s.Name)
		if s.Presence == core.Online && (a.cfg.Group == "" || slices.Contains(s.Groups, a.cfg.Group)) {
			online = true
		}
	}
	v := int32(1)
	if online {
		v = 2
	}
	a.checkedAt.Store(a.now().UnixNano())
	if prev := a.online.Swap(v); prev != 0 && prev != v {
		a.reg.broadcast(outFrame{data: encode(presenceEvent{Type: "presence", Online: online})})
	}
	return online
}
