package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
)

// textUpdateN is update id from user 42 with message id id-1000.
func textUpdateN(id int) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1741857000,"from":{"id":42,"is_bot":false,"first_name":"Ada"},"chat":{"id":42,"first_name":"Ada","type":"private"},"text":"message %d"}}`, id, id-1000, id)
}

// runAdapter runs e's adapter until the test ends or stop is called.
func runAdapter(t *testing.T, e *env) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.ad.Run(ctx) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestPolling_offset_survives_a_restart_neither_losing_nor_repeating_updates(t *testing.T) {
	bot := newFakeBot(t)
	dir := t.TempDir()
	first := newEnvWith(t, bot, bot.config(ModePolling), dir)
	bot.push(textUpdateN(1001), textUpdateN(1002), textUpdateN(1003))
	stop := runAdapter(t, first)
	waitFor(t, "three stored messages", func() bool { return first.messageCount() == 3 })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if got, err := first.ad.state.Get(context.Background(), offsetKey); err != nil || string(got) != "1004" {
		t.Fatalf("stored offset = %q (%v), want 1004", got, err)
	}
	if calls := bot.callsOf("deleteWebhook"); len(calls) != 1 {
		t.Errorf("deleteWebhook calls = %d, want 1 before polling", len(calls))
	}
	first.store.Close()

	// A new instance on the same store: it asks from 1004 on, so neither
	// an update is lost nor one repeated.
	before := len(bot.callsOf("getUpdates"))
	second := newEnvWith(t, bot, bot.config(ModePolling), dir)
	bot.push(textUpdateN(1004), textUpdateN(1005))
	runAdapter(t, second)
	waitFor(t, "five stored messages", func() bool { return second.messageCount() == 5 })
	c := bot.callsOf("getUpdates")[before]
	if c.Params.Get("offset") != "1004" {
		t.Errorf("first getUpdates after the restart asked offset %q, want 1004", c.Params.Get("offset"))
	}
	if c.Params.Get("timeout") != "1" {
		t.Errorf("getUpdates timeout = %q, want the configured 1 (s)", c.Params.Get("timeout"))
	}
	for id := 1001; id <= 1005; id++ {
		if _, ok := second.message("42:" + strconv.Itoa(id-1000)); !ok {
			t.Errorf("update %d was lost", id)
		}
	}
}

func TestPolling_updates_Telegram_sends_again_below_the_offset_are_not_stored_again(t *testing.T) {
	bot := newFakeBot(t)
	e := newEnvWith(t, bot, bot.config(ModePolling), t.TempDir())
	if err := e.ad.saveOffset(context.Background(), 2001); err != nil {
		t.Fatal(err)
	}
	got, err := e.ad.ingestAll(context.Background(), raws(textUpdateN(2000), textUpdateN(2001)), 2001)
	if err != nil || got != 2002 {
		t.Fatalf("ingestAll = %d, %v; want 2002", got, err)
	}
	if _, ok := e.message("42:1000"); ok {
		t.Error("update 2000, below the stored offset, was stored")
	}
	if _, ok := e.message("42:1001"); !ok {
		t.Error("update 2001 was not stored")
	}
}

func TestPolling_malformed_update_is_passed_over_and_a_failing_one_retried(t *testing.T) {
	bot := newFakeBot(t)
	e := newEnvWith(t, bot, bot.config(ModePolling), t.TempDir())
	bot.addFile("P1", sample("image/jpeg", 2000))
	bot.queue("getFile", 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	photo := `{"update_id":3002,"message":{"message_id":2,"date":1,"from":{"id":42,"is_bot":false,"first_name":"Ada"},"chat":{"id":42,"type":"private"},"photo":[{"file_id":"P1","file_unique_id":"u","width":1,"height":1,"file_size":2000}]}}`
	bot.push(`{"update_id":3001,"message":"garbage"}`, photo, textUpdateN(3003))
	runAdapter(t, e)
	waitFor(t, "the photo and the text", func() bool { return e.messageCount() == 2 })
	if n := len(bot.callsOf("getFile")); n != 2 {
		t.Errorf("getFile calls = %d, want 2 (one failure, one retry)", n)
	}
	photoMsg, _ := e.message("42:2")
	textMsg, _ := e.message("42:2003")
	if !photoMsg.CreatedAt.Before(textMsg.CreatedAt) && !photoMsg.CreatedAt.Equal(textMsg.CreatedAt) {
		t.Errorf("the later update was stored before the one that failed")
	}
	waitFor(t, "offset 3004", func() bool {
		v, err := e.ad.state.Get(context.Background(), offsetKey)
		return err == nil && string(v) == "3004"
	})
}

func raws(s ...string) (out []json.RawMessage) {
	for _, v := range s {
		out = append(out, json.RawMessage(v))
	}
	return out
}
