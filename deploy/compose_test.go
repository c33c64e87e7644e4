package deploy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"sigs.k8s.io/yaml"

	"github.com/licencegraph/licencegraph/internal/metrics"
)

func loadCompose(t *testing.T, env map[string]string, profiles ...string) *types.Project {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml")}},
		Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName("licencegraph", true)
		o.Profiles = profiles
		o.ResolvePaths = true
	})
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func serviceNames(s types.Services) []string {
	var out []string
	for name := range s {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// docker-compose.yml loads with the Compose specification's loader with
// and without the observability profile; the profile adds Prometheus,
// Grafana and Jaeger, whose configuration files exist in deploy/;
// Prometheus scrapes the API where METRICS_ADDR serves /metrics; tracing
// is off unless OTEL_EXPORTER_OTLP_ENDPOINT is given.
func TestComposeObservabilityProfile(t *testing.T) {
	plain := loadCompose(t, map[string]string{})
	if got, want := serviceNames(plain.Services), []string{"api", "neo4j", "seed"}; !slices.Equal(got, want) {
		t.Errorf("without a profile: services %v, want %v", got, want)
	}
	if got := *plain.Services["api"].Environment["OTEL_EXPORTER_OTLP_ENDPOINT"]; got != "" {
		t.Errorf("tracing on by default: OTEL_EXPORTER_OTLP_ENDPOINT=%q", got)
	}

	p := loadCompose(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318"}, "observability")
	if got, want := serviceNames(p.Services), []string{"api", "grafana", "jaeger", "neo4j", "prometheus", "seed"}; !slices.Equal(got, want) {
		t.Fatalf("with the observability profile: services %v, want %v", got, want)
	}
	api := p.Services["api"]
	if got := *api.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"]; got != "http://jaeger:4318" {
		t.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT=%q", got)
	}
	for _, name := range []string{"prometheus", "grafana"} {
		binds := 0
		for _, v := range p.Services[name].Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			binds++
			if !strings.HasPrefix(v.Source, filepath.Join(p.WorkingDir, "deploy")+string(filepath.Separator)) {
				t.Errorf("%s mounts %s, outside deploy/", name, v.Source)
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts a missing file: %v", name, err)
			}
		}
		if binds == 0 {
			t.Errorf("%s mounts no configuration from deploy/", name)
		}
	}

	// Prometheus scrapes the api service on METRICS_ADDR's port.
	metricsAddr := *api.Environment["METRICS_ADDR"]
	var prom struct {
		RuleFiles     []string `json:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			MetricsPath   string `json:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	readYAML(t, "prometheus/prometheus.yml", &prom)
	if len(prom.ScrapeConfigs) != 1 || prom.ScrapeConfigs[0].MetricsPath != "/metrics" ||
		len(prom.ScrapeConfigs[0].StaticConfigs) != 1 || !slices.Equal(prom.ScrapeConfigs[0].StaticConfigs[0].Targets, []string{"api" + metricsAddr}) {
		t.Errorf("prometheus.yml does not scrape api%s/metrics: %+v", metricsAddr, prom)
	}
	// Its rule files are mounted where it reads them, and their alerts
	// query exported metrics.
	for _, f := range prom.RuleFiles {
		var source string
		for _, v := range p.Services["prometheus"].Volumes {
			if v.Target == f {
				source = v.Source
			}
		}
		if source == "" {
			t.Errorf("rule file %s is not mounted into prometheus", f)
			continue
		}
		var rules struct {
			Groups []struct {
				Rules []struct{ Alert, Expr string } `json:"rules"`
			} `json:"groups"`
		}
		readYAML(t, source, &rules)
		n := 0
		for _, g := range rules.Groups {
			for _, r := range g.Rules {
				n++
				checkNames(t, "alert "+r.Alert, r.Expr, map[string]bool{"up": true})
			}
		}
		if n == 0 {
			t.Errorf("%s holds no alerts", source)
		}
	}
	if len(prom.RuleFiles) == 0 {
		t.Errorf("prometheus.yml loads no alerting rules")
	}
	// Grafana's data source is that Prometheus, under the uid the
	// dashboard names.
	var ds struct {
		Datasources []struct{ Name, UID, Type, URL string } `json:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &ds)
	if len(ds.Datasources) != 1 || ds.Datasources[0].UID != "prometheus" || ds.Datasources[0].URL != "http://prometheus:9090" {
		t.Errorf("Grafana data source: %+v", ds)
	}
	var provider struct {
		Providers []struct {
			Options struct{ Path string } `json:"options"`
		} `json:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/licencegraph.yml", &provider)
	mounted := false
	for _, v := range p.Services["grafana"].Volumes {
		if len(provider.Providers) == 1 && v.Target == provider.Providers[0].Options.Path && v.Source == filepath.Join(p.WorkingDir, "deploy", "grafana", "dashboards") {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("the dashboard provider's path %+v is not where compose mounts deploy/grafana/dashboards", provider)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

var metricName = regexp.MustCompile(`\b(licencegraph_[a-z0-9_]+|go_[a-z0-9_]+|process_[a-z0-9_]+)\b`)

// The dashboard is valid JSON whose queries name only metrics the server
// exports (with the _bucket and _count series of its histograms), and
// every metric of internal/metrics is on some panel.
func TestDashboardShowsTheMetrics(t *testing.T) {
	b, err := os.ReadFile("grafana/dashboards/licencegraph.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Type       string `json:"type"`
			Title      string `json:"title"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	ours := map[string]bool{}
	for _, n := range metrics.Names() {
		ours[n] = false
	}
	runtime := []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes", "process_cpu_seconds_total"}
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		if p.Datasource.UID != "prometheus" || len(p.Targets) == 0 {
			t.Errorf("panel %q: data source %q, %d queries", p.Title, p.Datasource.UID, len(p.Targets))
		}
		for _, target := range p.Targets {
			for _, name := range metricName.FindAllString(target.Expr, -1) {
				base := name
				for _, suffix := range []string{"_bucket", "_count", "_sum"} {
					if _, ok := ours[strings.TrimSuffix(name, suffix)]; ok {
						base = strings.TrimSuffix(name, suffix)
					}
				}
				if _, ok := ours[base]; ok {
					ours[base] = true
				} else if !slices.Contains(runtime, name) {
					t.Errorf("panel %q queries %s, which the server does not export", p.Title, name)
				}
			}
		}
	}
	for name, shown := range ours {
		if !shown {
			t.Errorf("%s is on no panel", name)
		}
	}
}

// checkNames fails when expr queries a metric the server does not export
// (besides those allowed).
func checkNames(t *testing.T, where, expr string, allowed map[string]bool) {
	t.Helper()
	ours := map[string]bool{}
	for _, n := range metrics.Names() {
		ours[n] = true
	}
	found := false
	for _, name := range regexp.MustCompile(`\b[a-z_][a-z0-9_]*\b`).FindAllString(expr, -1) {
		base := name
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			if ours[strings.TrimSuffix(name, suffix)] {
				base = strings.TrimSuffix(name, suffix)
			}
		}
		switch {
		case ours[base] || allowed[name]:
			found = true
		case strings.HasPrefix(name, "licencegraph_"):
			t.Errorf("%s queries %s, which the server does not export", where, name)
		}
	}
	if !found {
		t.Errorf("%s queries none of the server's metrics: %s", where, expr)
	}
}
