package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestProjectionLoad(t *testing.T) {
	for _, tc := range []struct {
		name, log string
		want      float64
	}{
		{"none", "time=x level=INFO msg=serving addr=127.0.0.1:1\n", 0},
		{"seconds", `time=x level=INFO msg="projection loaded" companies=100000 links=600000 licences=7591 version=7 took=14.103s` + "\n", 14.103},
		{"minutes", `time=x level=INFO msg="projection loaded" companies=1000000 links=6000000 licences=75912 version=18 took=1m32.276s` + "\n", 92.276},
		{"the last load", `msg="projection loaded" took=2s` + "\n" + `msg="http request"` + "\n" + `msg="projection loaded" took=500ms` + "\n", 0.5},
		{"not a duration", `msg="projection loaded" took=soon` + "\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "serve.log")
			if err := os.WriteFile(p, []byte(tc.log), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := projectionLoad(p); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("projectionLoad = %g, want %g", got, tc.want)
			}
		})
	}
	if got := projectionLoad(filepath.Join(t.TempDir(), "missing")); got != 0 {
		t.Errorf("a missing log: %g", got)
	}
}

func TestRelLink(t *testing.T) {
	for _, tc := range []struct{ doc, svg, want string }{
		{"docs/performance.md", "docs/exposure-cold.svg", "exposure-cold.svg"},
		{"docs/performance.md", "out/plot.svg", "out/plot.svg"},
		{"performance.md", "plot.svg", "plot.svg"},
	} {
		if got := relLink(tc.doc, tc.svg); got != tc.want {
			t.Errorf("relLink(%s, %s) = %s, want %s", tc.doc, tc.svg, got, tc.want)
		}
	}
}
