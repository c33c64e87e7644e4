package config

import (
	"strings"
	"testing"
)

func TestObservabilitySettings(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		wantMetrics string
		wantNames   int
		wantTracing bool
		wantErr     string
	}{
		{name: "defaults: /metrics beside the API, tracing off", wantNames: 100},
		{name: "metrics apart", env: map[string]string{"METRICS_ADDR": ":9090"}, wantMetrics: ":9090", wantNames: 100},
		{name: "metrics off", env: map[string]string{"METRICS_ADDR": "off"}, wantMetrics: MetricsOff, wantNames: 100},
		{name: "names bound", env: map[string]string{"METRICS_MAX_OPERATION_NAMES": "20"}, wantNames: 20},
		{name: "names bound not a number", env: map[string]string{"METRICS_MAX_OPERATION_NAMES": "many"}, wantErr: "METRICS_MAX_OPERATION_NAMES"},
		{name: "OTLP endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, wantNames: 100, wantTracing: true},
		{name: "OTLP traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, wantNames: 100, wantTracing: true},
		{name: "exporter named", env: map[string]string{"OTEL_TRACES_EXPORTER": "console"}, wantNames: 100, wantTracing: true},
		{name: "exporter none wins over an endpoint", env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, wantNames: 100},
		{name: "SDK disabled", env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, wantNames: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.MetricsAddr != tt.wantMetrics || c.MetricsMaxOperationNames != tt.wantNames || c.Tracing != tt.wantTracing {
				t.Errorf("metrics %q, names %d, tracing %v; want %q, %d, %v", c.MetricsAddr, c.MetricsMaxOperationNames, c.Tracing, tt.wantMetrics, tt.wantNames, tt.wantTracing)
			}
		})
	}
}
