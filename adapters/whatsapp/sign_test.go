package whatsapp

import "github.com/switchboard-hq/switchboard/adapters/internal/meta"

func signBody(body []byte) string { return meta.Sign(testSecret, body) }
