package email

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/switchboard-hq/switchboard/adapters/email/emailtest"
	"github.com/switchboard-hq/switchboard/core"
	"github.com/switchboard-hq/switchboard/core/store/blobfs"
	"github.com/switchboard-hq/switchboard/core/store/sqlite"
)

// benchMailbox is the size of the mailbox the benchmarks fetch.
const benchMailbox = 10000

var messageIDHeader = regexp.MustCompile(`(?im)^Message-Id:[^\r\n]*\r\n`)

// fillMailbox appends n mails made from the fixtures in turn, each with a
// Message-ID of its own (the malformed one stays malformed, the bounce and
// the automatic ones stay filtered), and returns the server.
func fillMailbox(b *testing.B, n int) *emailtest.IMAPServer {
	b.Helper()
	cases := loadCases(b)
	raws := make([][]byte, len(cases))
	for i, c := range cases {
		raws[i] = readFixture(b, c.File)
	}
	srv := emailtest.NewIMAPServer(b)
	for i := range n {
		raw := raws[i%len(raws)]
		id := fmt.Sprintf("Message-ID: <bench-%d@mail.example.org>\r\n", i)
		srv.Append("INBOX", messageIDHeader.ReplaceAll(raw, []byte(id)))
	}
	return srv
}

// BenchmarkIngest fetches the whole mailbox through the channel into a real
// hub (SQLite and blobs in a temp dir), and in the same run the same
// messages with a bare go-imap client that only fetches them; it reports
// both rates and their ratio.
//
//	go test ./adapters/email -run '^$' -bench 'Ingest|BareFetch' -benchtime 3x
func BenchmarkIngest(b *testing.B) {
	srv := fillMailbox(b, benchMailbox)
	bareCPU := cpuTime()
	bare := bareFetch(b, srv.Addr())
	bareCPU = cpuTime() - bareCPU
	var total, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		h := newBenchHub(b, srv.Addr())
		b.StartTimer()
		start, cpuStart := time.Now(), cpuTime()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = h.ad.Run(ctx) }()
		for h.handled() < benchMailbox {
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
		cpu += cpuTime() - cpuStart
		b.StopTimer()
		cancel()
		<-done
		h.close()
		b.StartTimer()
	}
	rate := float64(benchMailbox*b.N) / total.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(bare, "bare-msgs/s")
	b.ReportMetric(bare/rate, "x-bare-time")
	// CPU time (user and system, the in-process IMAP server's included)
	// says the same without the noise of other work on the machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(benchMailbox*b.N), "cpu-µs/msg")
	b.ReportMetric(float64(bareCPU.Microseconds())/benchMailbox, "bare-cpu-µs/msg")
}

// BenchmarkBareFetch is a go-imap v2 client fetching the same mailbox in
// batches of the channel's size, doing nothing with the bytes.
func BenchmarkBareFetch(b *testing.B) {
	srv := fillMailbox(b, benchMailbox)
	var rate float64
	for b.Loop() {
		rate = bareFetch(b, srv.Addr())
	}
	b.ReportMetric(rate, "msgs/s")
}

func bareFetch(b *testing.B, addr string) float64 {
	b.Helper()
	start := time.Now()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(emailtest.Username, emailtest.Password).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	n := 0
	section := &imap.FetchItemBodySection{Peek: true}
	for first := 1; first <= benchMailbox; first += DefaultBatchSize {
		var set imap.UIDSet
		set.AddRange(imap.UID(first), imap.UID(min(first+DefaultBatchSize-1, benchMailbox)))
		msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			b.Fatal(err)
		}
		n += len(msgs)
	}
	if n != benchMailbox {
		b.Fatalf("fetched %d, want %d", n, benchMailbox)
	}
	return float64(n) / time.Since(start).Seconds()
}

type benchHub struct {
	ad    *Adapter
	store *sqlite.Store
	count atomic.Int64
}

func (h *benchHub) handled() int { return int(h.count.Load()) }
func (h *benchHub) close()       { h.store.Close() }

func newBenchHub(b *testing.B, imapAddr string) *benchHub {
	b.Helper()
	dir := b.TempDir()
	st, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(dir, "hub.db")})
	if err != nil {
		b.Fatal(err)
	}
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfig(imapAddr, "127.0.0.1:1")
	cfg.IMAP.Backfill = BackfillAll
	h := &benchHub{store: st}
	late := &lateReceiver{}
	h.ad, err = New(channelName, cfg, Deps{Receiver: late, Blobs: blobs, State: core.StoreState(st, channelName),
		Store: func() Store { return st }, Observe: func(Outcome) { h.count.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	if late.hub, err = core.NewHub(core.HubConfig{Store: st, Blobs: blobs,
		Channels: []core.ChannelInfo{{Name: channelName, Type: Type, Adapter: h.ad}}}); err != nil {
		b.Fatal(err)
	}
	return h
}
