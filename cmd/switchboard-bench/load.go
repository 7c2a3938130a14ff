package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-hq/switchboard/adapters/webhook"
)

// Load describes one run: how many signed messages to send, from how many
// contacts, over how many connections.
type Load struct {
	Name        string
	URL         string
	Secret      string
	Messages    int
	Concurrency int
	Contacts    int
	TextBytes   int
}

// Result holds one run's figures.
type Result struct {
	Name        string
	Messages    int
	Concurrency int
	Errors      int
	Elapsed     time.Duration
	P50, P99    time.Duration
}

// Rate is acknowledged messages per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Messages-r.Errors) / r.Elapsed.Seconds()
}

// Run sends l.Messages messages after a short unmeasured warm-up and returns
// the figures. Every request is signed; a response other than 200 or 202
// counts as an error.
func (l Load) Run(ctx context.Context, name string) (Result, error) {
	key, err := webhook.ParseSecret(l.Secret)
	if err != nil {
		return Result{}, err
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: l.Concurrency, MaxIdleConnsPerHost: l.Concurrency, MaxConnsPerHost: l.Concurrency,
		},
	}
	defer client.CloseIdleConnections()
	var runID [6]byte
	_, _ = rand.Read(runID[:])
	prefix := name[:1] + hex.EncodeToString(runID[:])
	text := strings.Repeat("x", l.TextBytes)

	send := func(i int) (time.Duration, error) {
		body, _ := json.Marshal(map[string]any{
			"id":      fmt.Sprintf("%s-%d", prefix, i),
			"contact": map[string]string{"id": fmt.Sprintf("bench-%d", i%max(l.Contacts, 1)), "name": "Bench Contact"},
			"text":    text,
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		webhook.SignHeader(req.Header, key, fmt.Sprintf("msg_%s_%d", prefix, i), time.Now(), body)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", resp.StatusCode)
		}
		return time.Since(start), nil
	}

	warm := min(l.Messages/10, 1000)
	if _, errs := l.drive(warm, func(i int) (time.Duration, error) { return send(-1 - i) }); errs == warm && warm > 0 {
		return Result{}, fmt.Errorf("every warm-up request failed")
	}
	start := time.Now()
	lat, errs := l.drive(l.Messages, send)
	res := Result{Name: name, Messages: l.Messages, Concurrency: l.Concurrency, Errors: errs, Elapsed: time.Since(start)}
	if len(lat) > 0 {
		slices.Sort(lat)
		res.P50 = lat[len(lat)*50/100]
		res.P99 = lat[min(len(lat)*99/100, len(lat)-1)]
	}
	return res, ctx.Err()
}

// drive runs send for 0..n-1 on l.Concurrency goroutines and returns the
// latencies of the successful calls and the count of failures.
func (l Load) drive(n int, send func(int) (time.Duration, error)) ([]time.Duration, int) {
	var (
		next   atomic.Int64
		errs   atomic.Int64
		mu     sync.Mutex
		all    = make([]time.Duration, 0, n)
		wg     sync.WaitGroup
		logged atomic.Bool
	)
	for range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, n/l.Concurrency+1)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				d, err := send(i)
				if err != nil {
					if errs.Add(1) == 1 && logged.CompareAndSwap(false, true) {
						fmt.Println("first error:", err)
					}
					continue
				}
				local = append(local, d)
			}
			mu.Lock()
			all = append(all, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, int(errs.Load())
}
