package channeltest

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/core"
)

type sender struct{ caps core.Capabilities }

func (s sender) Capabilities() core.Capabilities { return s.caps }
func (s sender) Send(context.Context, core.Outbound) (core.SendReceipt, error) {
	return core.SendReceipt{}, nil
}

type deleter struct{ sender }

func (deleter) Delete(context.Context, core.Message, core.ContactRef) error { return nil }

func TestDeclarationProblem_catches_deletion_declared_but_not_implemented(t *testing.T) {
	declares := core.Capabilities{Label: "X", DeleteSent: true}
	if got := declarationProblem(sender{declares}); !strings.Contains(got, "does not implement core.Deleter") {
		t.Fatalf("problem = %q, want the missing Deleter named", got)
	}
	if got := declarationProblem(deleter{sender{declares}}); got != "" {
		t.Fatalf("an adapter that deletes: problem = %q, want none", got)
	}
	if got := declarationProblem(deleter{sender{core.Capabilities{Label: "X"}}}); got != "" {
		t.Fatalf("deletion narrowed away by ops: problem = %q, want none", got)
	}
}

func TestCapabilityProblems_catches_malformed_declarations(t *testing.T) {
	bad := core.Capabilities{Attachments: []string{"image", "*/"}, MaxAttachmentSize: core.MaxUpload + 1, DeleteWindow: -1}
	if got := capabilityProblems(bad); len(got) != 5 {
		t.Fatalf("problems = %q, want 5 (label, size, two patterns, window)", got)
	}
	good := core.Capabilities{Label: "X", Attachments: []string{"image/*", "application/pdf"}, MaxAttachmentSize: 1 << 20}
	if got := capabilityProblems(good); len(got) != 0 {
		t.Fatalf("problems = %q, want none", got)
	}
}
