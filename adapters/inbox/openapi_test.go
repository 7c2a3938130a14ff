package inbox_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-hq/switchboard/adapters/inbox"
)

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]json.RawMessage `json:"schemas"`
		Parameters map[string]json.RawMessage `json:"parameters"`
		Responses  map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

func TestOpenAPI_documents_every_registered_route_and_nothing_else(t *testing.T) {
	t.Parallel()
	e := newEnv(t, inbox.Config{})
	res := e.do(http.MethodGet, "/api/v1/openapi.json", "", nil).want(http.StatusOK)
	var doc openAPIDoc
	res.decode(&doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi got = %q, want 3.1.0", doc.OpenAPI)
	}

	registered := map[string]bool{}
	for _, route := range e.srv.Routes() {
		method, path, _ := strings.Cut(route, " ")
		registered[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.json", route)
		}
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(documented)
	for _, d := range documented {
		if !registered[d] {
			t.Errorf("openapi.json documents %s, which is not registered", d)
		}
	}
}

func TestOpenAPI_references_resolve(t *testing.T) {
	t.Parallel()
	var doc openAPIDoc
	raw := inbox.OpenAPI()
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				kind, name, _ := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
				var found bool
				switch kind {
				case "schemas":
					_, found = doc.Components.Schemas[name]
				case "parameters":
					_, found = doc.Components.Parameters[name]
				case "responses":
					_, found = doc.Components.Responses[name]
				}
				if !found {
					t.Errorf("dangling $ref %s", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var all any
	_ = json.Unmarshal(raw, &all)
	walk(all)
}
