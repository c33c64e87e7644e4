// Package deploy holds no code: its tests keep the deployment files beside
// them correct on machines without Docker or Kubernetes. docker-compose.yml
// (with its observability profile) is loaded with the Compose
// specification's own loader, the Grafana dashboard is checked against the
// metrics the server exports, and the Kubernetes manifests are decoded
// strictly into the official k8s.io/api types.
package deploy
