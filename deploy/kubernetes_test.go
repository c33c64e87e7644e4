package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// manifests are the Kubernetes objects of deploy/kubernetes, decoded.
type manifests struct {
	deployments []appsv1.Deployment
	services    []corev1.Service
	configMaps  []corev1.ConfigMap
	secrets     []corev1.Secret
	budgets     []policyv1.PodDisruptionBudget
}

var separator = regexp.MustCompile(`(?m)^---\s*$`)

// decodeStrict decodes one manifest into the official type of its kind,
// refusing unknown and duplicate fields (a misspelt readinessProbe would
// otherwise be dropped without a word).
func decodeStrict(t *testing.T, m *manifests, where string, doc []byte) {
	t.Helper()
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var err error
	switch head.APIVersion + " " + head.Kind {
	case "apps/v1 Deployment":
		var o appsv1.Deployment
		err = yaml.UnmarshalStrict(doc, &o)
		m.deployments = append(m.deployments, o)
	case "v1 Service":
		var o corev1.Service
		err = yaml.UnmarshalStrict(doc, &o)
		m.services = append(m.services, o)
	case "v1 ConfigMap":
		var o corev1.ConfigMap
		err = yaml.UnmarshalStrict(doc, &o)
		m.configMaps = append(m.configMaps, o)
	case "v1 Secret":
		var o corev1.Secret
		err = yaml.UnmarshalStrict(doc, &o)
		m.secrets = append(m.secrets, o)
	case "policy/v1 PodDisruptionBudget":
		var o policyv1.PodDisruptionBudget
		err = yaml.UnmarshalStrict(doc, &o)
		m.budgets = append(m.budgets, o)
	default:
		t.Fatalf("%s: unexpected %s %s", where, head.APIVersion, head.Kind)
	}
	if err != nil {
		t.Errorf("%s (%s): %v", where, head.Kind, err)
	}
}

func loadManifests(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/kubernetes (%v)", err)
	}
	m := &manifests{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range separator.Split(string(b), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			decodeStrict(t, m, f+" document "+strconv.Itoa(i+1), []byte(doc))
		}
	}
	return m
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// Strict decoding is what catches mistakes: an unknown field fails.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	var d appsv1.Deployment
	doc := "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          readinesProbe: {}\n"
	if err := yaml.UnmarshalStrict([]byte(doc), &d); err == nil || !strings.Contains(err.Error(), "readinesProbe") {
		t.Errorf("a misspelt field decoded: %v", err)
	}
}

// The manifests decode strictly into k8s.io/api types and hang together:
// probes on /readyz and /healthz at a named container port, the Services
// select the pods and target ports they have, every ConfigMap key is a
// setting the server reads, every secret the pods use is in the Secret.
func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	if len(m.deployments) != 1 || len(m.configMaps) != 1 || len(m.secrets) != 1 || len(m.services) < 1 {
		t.Fatalf("want one Deployment, ConfigMap and Secret and a Service: %d, %d, %d, %d",
			len(m.deployments), len(m.configMaps), len(m.secrets), len(m.services))
	}
	d, cm, secret := m.deployments[0], m.configMaps[0], m.secrets[0]
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("the Deployment runs fewer than two replicas")
	}
	pod := d.Spec.Template
	for k, v := range d.Spec.Selector.MatchLabels {
		if pod.Labels[k] != v {
			t.Errorf("the Deployment's selector %s=%s does not match its pods", k, v)
		}
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Spec.Containers))
	}
	c := pod.Spec.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for _, probe := range []struct {
		name string
		p    *corev1.Probe
		path string
	}{{"readiness", c.ReadinessProbe, "/readyz"}, {"liveness", c.LivenessProbe, "/healthz"}} {
		if probe.p == nil || probe.p.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", probe.name)
			continue
		}
		if probe.p.HTTPGet.Path != probe.path {
			t.Errorf("%s probe on %s, want %s", probe.name, probe.p.HTTPGet.Path, probe.path)
		}
		if _, ok := ports[probe.p.HTTPGet.Port.String()]; !ok {
			t.Errorf("%s probe on port %s, which the container does not name", probe.name, probe.p.HTTPGet.Port.String())
		}
	}

	// Every environment variable the pods get is one the server reads.
	known := knownVariables(t)
	var fromConfig bool
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil && e.ConfigMapRef.Name == cm.Name {
			fromConfig = true
		}
	}
	if !fromConfig {
		t.Errorf("the container does not take its environment from ConfigMap %s", cm.Name)
	}
	for key := range cm.Data {
		if !known[key] && !strings.HasPrefix(key, "OTEL_") {
			t.Errorf("ConfigMap key %s is no setting the server reads (internal/config)", key)
		}
	}
	if got, want := cm.Data["LISTEN_ADDR"], ":"+itoa(ports["http"]); got != want {
		t.Errorf("LISTEN_ADDR %q, but the http port is %s", got, want)
	}
	if got, want := cm.Data["METRICS_ADDR"], ":"+itoa(ports["metrics"]); got != want {
		t.Errorf("METRICS_ADDR %q, but the metrics port is %s", got, want)
	}
	secretKeys := map[string]bool{}
	for k := range secret.StringData {
		secretKeys[k] = true
	}
	for k := range secret.Data {
		secretKeys[k] = true
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ref.Name != secret.Name || !secretKeys[ref.Key] {
			t.Errorf("%s from secret %s key %s, which the Secret does not hold", e.Name, ref.Name, ref.Key)
		}
		if !known[e.Name] {
			t.Errorf("secret variable %s is no setting the server reads", e.Name)
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.Secret == nil {
			continue
		}
		for _, item := range v.Secret.Items {
			if v.Secret.SecretName != secret.Name || !secretKeys[item.Key] {
				t.Errorf("volume %s uses secret key %s, which the Secret does not hold", v.Name, item.Key)
			}
		}
	}
	// The API-key file the configuration names is where the Secret is
	// mounted.
	mounted := false
	for _, vm := range c.VolumeMounts {
		if strings.HasPrefix(cm.Data["AUTH_API_KEYS_FILE"], vm.MountPath+"/") {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("AUTH_API_KEYS_FILE %s is under no volume mount", cm.Data["AUTH_API_KEYS_FILE"])
	}

	for _, s := range m.services {
		for k, v := range s.Spec.Selector {
			if pod.Labels[k] != v {
				t.Errorf("Service %s selects %s=%s, which the pods do not carry", s.Name, k, v)
			}
		}
		for _, p := range s.Spec.Ports {
			if _, ok := ports[p.TargetPort.String()]; !ok {
				t.Errorf("Service %s targets port %s, which the container does not name", s.Name, p.TargetPort.String())
			}
		}
	}
	for _, b := range m.budgets {
		for k, v := range b.Spec.Selector.MatchLabels {
			if pod.Labels[k] != v {
				t.Errorf("PodDisruptionBudget %s selects %s=%s, which the pods do not carry", b.Name, k, v)
			}
		}
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// knownVariables are the environment variables internal/config reads.
func knownVariables(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "config", "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`"([A-Z][A-Z0-9_]+)"`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = true
	}
	if !out["NEO4J_URI"] || !out["METRICS_ADDR"] {
		t.Fatalf("no variables found in internal/config/config.go")
	}
	return out
}
