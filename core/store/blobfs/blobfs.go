// Package blobfs implements core.BlobStore on a local directory: every blob
// is one file named by the SHA-256 of its bytes, so storing the same bytes
// twice keeps one copy and a reference can never point at changed content.
//
// Layout under the directory given to New:
//
//	ab/ab3f…(64 hex digits)   blobs, fanned out by the first two digits
//	tmp/                      uploads in progress, renamed into place
//
// A blob is written to tmp/, fsynced and renamed into place, so a crash
// leaves either the whole blob or none of it.
package blobfs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-hq/switchboard/core"
)

// refPrefix starts every reference Put returns.
const refPrefix = "sha256:"

// staleTemp is how old a leftover upload must be before New removes it;
// younger ones may belong to another process sharing the directory.
const staleTemp = time.Hour

// Store is a core.BlobStore in a directory. It is safe for concurrent use,
// also by several processes sharing the directory.
type Store struct {
	dir string
	tmp string
}

// New opens the blob store in dir, creating the directory if needed, and
// removes uploads left over by a crash.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("blobfs: directory is required")
	}
	s := &Store{dir: dir, tmp: filepath.Join(dir, "tmp")}
	if err := os.MkdirAll(s.tmp, 0o750); err != nil {
		return nil, fmt.Errorf("blobfs: %w", err)
	}
	if err := s.removeStale(time.Now().Add(-staleTemp)); err != nil {
		return nil, fmt.Errorf("blobfs: %w", err)
	}
	return s, nil
}

func (s *Store) removeStale(before time.Time) error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || info.ModTime().After(before) {
			continue
		}
		if err := os.Remove(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Put implements core.BlobStore. It streams r to a temporary file while
// hashing it and refuses, with an error whose core.ErrorCode is
// core.CodeTooLarge, once more than limit bytes arrive (limit <= 0 means
// core.MaxUpload). The MIME type is sniffed from the first bytes; the
// returned Ref is "sha256:" and the hex digest. A refused or failed Put
// leaves nothing behind.
func (s *Store) Put(ctx context.Context, r io.Reader, limit int64) (blob core.Blob, err error) {
	if limit <= 0 {
		limit = core.MaxUpload
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return core.Blob{}, fmt.Errorf("blobfs: put: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	h := sha256.New()
	head := &headWriter{max: sniffLen}
	n, err := io.Copy(io.MultiWriter(f, h, head), io.LimitReader(ctxReader{ctx, r}, limit+1))
	if err != nil {
		return core.Blob{}, fmt.Errorf("blobfs: put: %w", err)
	}
	if n > limit {
		return core.Blob{}, core.TooLargef("the file is larger than the limit of %s", byteSize(limit))
	}
	if err := f.Sync(); err != nil {
		return core.Blob{}, fmt.Errorf("blobfs: put: %w", err)
	}
	if err := f.Close(); err != nil {
		return core.Blob{}, fmt.Errorf("blobfs: put: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := s.place(f.Name(), sum); err != nil {
		return core.Blob{}, fmt.Errorf("blobfs: put: %w", err)
	}
	return core.Blob{Ref: refPrefix + sum, Size: n, MIMEType: Sniff(head.buf)}, nil
}

// place moves the finished upload tmp to the blob path of sum. When the
// blob exists already, the upload is redundant and removed.
func (s *Store) place(tmp, sum string) error {
	dst := s.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(tmp)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open implements core.BlobStore. A missing blob is an error wrapping
// core.ErrNotFound; a malformed ref is a core.CodeInvalid error.
func (s *Store) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", ref, core.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blobfs: open %s: %w", ref, err)
	}
	return f, nil
}

// Delete implements core.BlobStore. Deleting a missing blob is not an
// error; a malformed ref is.
func (s *Store) Delete(ctx context.Context, ref string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sum, err := parseRef(ref)
	if err != nil {
		return err
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobfs: delete %s: %w", ref, err)
	}
	return nil
}

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }

// parseRef returns the hex digest of ref, "sha256:<64 hex digits>" or the
// bare digest. Only lower-case hex digits get through, so a ref can never
// name a path outside the store.
func parseRef(ref string) (string, error) {
	sum := strings.TrimPrefix(ref, refPrefix)
	if len(sum) != sha256.Size*2 || strings.Trim(sum, "0123456789abcdef") != "" {
		return "", core.Invalidf("blob reference %q is not sha256:<64 hex digits>", ref)
	}
	return sum, nil
}

// ctxReader stops a copy once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

var _ core.BlobStore = (*Store)(nil)
