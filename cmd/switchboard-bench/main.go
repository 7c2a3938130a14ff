// Command switchboard-bench drives signed inbound messages at a Switchboard
// webhook channel over loopback and reports messages per second and the
// latency from request to durable acknowledgement. In the same run it drives
// the same load at a bare net/http handler that only reads the body, so the
// hub's figures can be read as a ratio against that baseline.
//
//	switchboard-bench -url http://127.0.0.1:8080/api/v1/channels/webhook/messages \
//	    -secret whsec_... -n 20000 -c 64
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"text/tabwriter"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("switchboard-bench", flag.ContinueOnError)
	var (
		url      = fs.String("url", "http://127.0.0.1:8080/api/v1/channels/webhook/messages", "the webhook channel's inbound URL")
		secret   = fs.String("secret", "", "the channel's Standard Webhooks secret (whsec_...)")
		n        = fs.Int("n", 20000, "messages to send per target")
		c        = fs.Int("c", 64, "concurrent connections")
		contacts = fs.Int("contacts", 1000, "distinct contacts the messages come from")
		size     = fs.Int("text", 120, "bytes of text per message")
		bare     = fs.Bool("bare", true, "also measure a bare net/http handler as the baseline")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secret == "" {
		return fmt.Errorf("-secret is required (the channel's whsec_ secret)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	load := Load{Secret: *secret, Messages: *n, Concurrency: *c, Contacts: *contacts, TextBytes: *size}
	var results []Result
	if *bare {
		base, err := baseline(ctx, load)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		results = append(results, base)
	}
	load.URL = *url
	hub, err := load.Run(ctx, "switchboard")
	if err != nil {
		return fmt.Errorf("switchboard: %w", err)
	}
	results = append(results, hub)
	report(stdout, results)
	return nil
}

// baseline measures the same load against a handler that reads the body and
// answers 202, served on loopback by this process.
func baseline(ctx context.Context, load Load) (Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	load.URL = "http://" + ln.Addr().String() + "/"
	return load.Run(ctx, "bare net/http")
}

func report(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tmessages\tconcurrency\tmsgs/s\tp50\tp99\terrors\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%d\t\n", r.Name, r.Messages, r.Concurrency, r.Rate(), r.P50, r.P99, r.Errors)
	}
	_ = tw.Flush()
	if len(results) == 2 && results[0].Rate() > 0 {
		b, h := results[0], results[1]
		fmt.Fprintf(w, "ratio %s/%s: throughput %.2f, p50 latency %.2fx, p99 latency %.2fx\n",
			h.Name, b.Name, h.Rate()/b.Rate(), float64(h.P50)/float64(b.P50), float64(h.P99)/float64(b.P99))
	}
}
