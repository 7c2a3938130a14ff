package meta

import (
	"fmt"
	"net/url"
	"regexp"
)

// graphVersion is a Graph API version such as v21.0.
var graphVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// ValidateGraph checks the graph_url and graph_version keys a Meta channel
// takes; empty values mean the defaults and pass. example is shown in the
// refusal of a bad version.
func ValidateGraph(graphURL, version, example string) error {
	if graphURL != "" {
		u, err := url.Parse(graphURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("graph_url: %q is not an absolute http or https URL", graphURL)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("graph_url: %q must not carry a query or fragment", graphURL)
		}
	}
	if version != "" && !graphVersion.MatchString(version) {
		return fmt.Errorf("graph_version: %q is not a Graph API version such as %s", version, example)
	}
	return nil
}
