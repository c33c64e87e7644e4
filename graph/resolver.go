// Package graph is licencegraph's GraphQL transport: gqlgen resolvers that
// check access, convert input, call a service in internal/ and convert the
// output. Generated code lives in graph/generated and graph/model.
package graph

import "github.com/licencegraph/licencegraph/internal/domain"

// Resolver is the dependency container, built once in main.
type Resolver struct {
	StatsService domain.StatsService
	// Reads answers the read API; nested fields reach it through the
	// per-request dataloaders (graph/loader), root fields directly.
	Reads domain.ReadService
	// Exposure answers the exposure questions (internal/exposure).
	Exposure domain.ExposureService
	// Audit reads the audit trail.
	Audit domain.ChangeService
	// Writes answers the mutations (neo4jstore's write API).
	Writes domain.WriteService
	// Events streams licence events from the audit trail (internal/events).
	Events domain.LicenceEventService
	// Alerts streams exposure alerts of watched companies (internal/events).
	Alerts domain.ExposureAlertService
	// Subscriptions bounds the subscriptions open at once (nil: no bound).
	Subscriptions *Subscriptions
}
