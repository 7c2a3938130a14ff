package blobfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
)

func newStore(t *testing.T) (*blobfs.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := blobfs.New(dir)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return s, dir
}

// files lists the regular files under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPut_then_Open_reads_the_bytes_back(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	data := []byte("hello, blob")
	b, err := s.Put(ctx, bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatalf("Put() error = %v", err)
	}
	if want := "sha256:d867e6d01ad026f722d27a707c89b80c9ae5817ad0d07b259915d476b45beaa7"; b.Ref != want {
		t.Errorf("Ref = %q, want %q", b.Ref, want)
	}
	if b.Size != int64(len(data)) {
		t.Errorf("Size = %d, want %d", b.Size, len(data))
	}
	for _, ref := range []string{b.Ref, strings.TrimPrefix(b.Ref, "sha256:")} {
		rc, err := s.Open(ctx, ref)
		if err != nil {
			t.Fatalf("Open(%s) error = %v", ref, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("Open(%s) read %q, %v; want %q", ref, got, err, data)
		}
	}
}

func TestPut_same_bytes_twice_yields_one_blob(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	a, err := s.Put(ctx, strings.NewReader("same"), 100)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Put(ctx, iotest.OneByteReader(strings.NewReader("same")), 100)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ref != b.Ref {
		t.Errorf("refs differ: %s and %s", a.Ref, b.Ref)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("files on disk = %v, want one blob", got)
	}
}

func TestPut_over_the_limit_is_refused_and_leaves_nothing(t *testing.T) {
	s, dir := newStore(t)
	_, err := s.Put(context.Background(), strings.NewReader(strings.Repeat("x", 2049)), 2048)
	if core.ErrorCode(err) != core.CodeTooLarge {
		t.Fatalf("Put() error = %v, want code %s", err, core.CodeTooLarge)
	}
	if !strings.Contains(err.Error(), "2 KB") {
		t.Errorf("error %q does not name the limit (2 KB)", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files left on disk = %v, want none", got)
	}
	if _, err := s.Put(context.Background(), strings.NewReader(strings.Repeat("x", 2048)), 2048); err != nil {
		t.Errorf("Put() of exactly the limit error = %v, want nil", err)
	}
}

func TestPut_failing_reader_or_cancelled_context_leaves_nothing(t *testing.T) {
	s, dir := newStore(t)
	boom := errors.New("connection reset")
	_, err := s.Put(context.Background(), io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom)), 100)
	if !errors.Is(err, boom) {
		t.Errorf("Put() error = %v, want %v", err, boom)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, strings.NewReader("data"), 100); !errors.Is(err, context.Canceled) {
		t.Errorf("Put() with cancelled context error = %v, want context.Canceled", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files left on disk = %v, want none", got)
	}
}

func TestOpen_and_Delete(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	b, err := s.Put(ctx, strings.NewReader("bye"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, b.Ref); err != nil {
		t.Fatalf("Delete() error = %v", err)
	}
	if err := s.Delete(ctx, b.Ref); err != nil {
		t.Errorf("Delete() of a missing blob error = %v, want nil", err)
	}
	if _, err := s.Open(ctx, b.Ref); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Open() after Delete error = %v, want ErrNotFound", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("files left on disk = %v, want none", got)
	}
}

func TestRefs_are_validated(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for _, ref := range []string{
		"", "sha256:", "../../etc/passwd", "sha256:../../../../etc/passwd",
		"sha256:" + strings.Repeat("a", 63), "sha256:" + strings.Repeat("A", 64),
		"sha256:" + strings.Repeat("a", 62) + "/x", "md5:" + strings.Repeat("a", 64),
	} {
		if _, err := s.Open(ctx, ref); core.ErrorCode(err) != core.CodeInvalid {
			t.Errorf("Open(%q) error = %v, want an invalid reference", ref, err)
		}
		if err := s.Delete(ctx, ref); core.ErrorCode(err) != core.CodeInvalid {
			t.Errorf("Delete(%q) error = %v, want an invalid reference", ref, err)
		}
	}
}

func mustParseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNew_removes_stale_uploads_only(t *testing.T) {
	dir := t.TempDir()
	if _, err := blobfs.New(dir); err != nil {
		t.Fatal(err)
	}
	stale, fresh := filepath.Join(dir, "tmp", "put-1"), filepath.Join(dir, "tmp", "put-2")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := mustParseTime(t, "2020-01-01T00:00:00Z")
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := blobfs.New(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale upload still there (err = %v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh upload removed: %v", err)
	}
}
