package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// Decoding: Neo4j values stop here. Every read returns domain types built
// by the decoders below from the maps of cypher.go's projections.

func (s *Store) count(ctx context.Context, cypher string, params map[string]any) (int, error) {
	res, err := s.read(ctx, cypher, params)
	if err != nil {
		return 0, err
	}
	if len(res.Records) != 1 {
		return 0, domain.Wrap(domain.CodeInternal, fmt.Errorf("count: %d records", len(res.Records)), "internal error")
	}
	return recordInt(res.Records[0], "n"), nil
}

// trimPage cuts a list fetched with limit first+1 to first, reporting
// whether there was more.
func trimPage[T any](items []T, first int) ([]T, bool, error) {
	if len(items) > first {
		return items[:first], true, nil
	}
	return items, false, nil
}

func dateParam(d domain.Date) neo4j.Date { return neo4j.DateOf(d.Time()) }

func dateOrNull(d domain.Date) any {
	if d.IsZero() {
		return nil
	}
	return neo4j.DateOf(d.Time())
}

func byID[T any](items []T, id func(T) string) map[string]T {
	out := make(map[string]T, len(items))
	for _, x := range items {
		out[id(x)] = x
	}
	return out
}

func recordMap(r *neo4j.Record, key string) map[string]any {
	v, _ := r.Get(key)
	m, _ := v.(map[string]any)
	return m
}

func recordString(r *neo4j.Record, key string) string {
	v, _ := r.Get(key)
	s, _ := v.(string)
	return s
}

func recordFloat(r *neo4j.Record, key string) *float64 {
	v, _ := r.Get(key)
	return anyFloat(v)
}

func recordInt(r *neo4j.Record, key string) int {
	v, _ := r.Get(key)
	n, _ := v.(int64)
	return int(n)
}

func mapRecords[T any](recs []*neo4j.Record, key string, conv func(map[string]any) T) []T {
	out := make([]T, 0, len(recs))
	for _, r := range recs {
		out = append(out, conv(recordMap(r, key)))
	}
	return out
}

func mapList[T any](r *neo4j.Record, key string, conv func(map[string]any) T) []T {
	v, _ := r.Get(key)
	list, _ := v.([]any)
	out := make([]T, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, conv(m))
		}
	}
	return out
}

func mString(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// mStrings reads a list of strings; the result is sorted when sorted is set
// (lists collected from relationships have no order of their own).
func mStrings(m map[string]any, key string, sorted bool) []string {
	out := anyStrings(m[key])
	if sorted {
		slices.Sort(out)
	}
	return out
}

// anyStrings reads a list of strings.
func anyStrings(v any) []string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return []string{}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func mDate(m map[string]any, key string) domain.Date { return anyDate(m[key]) }

// anyDate reads a date (zero when absent).
func anyDate(v any) domain.Date {
	switch v := v.(type) {
	case neo4j.Date:
		return domain.DateOf(v.Time())
	case time.Time:
		return domain.DateOf(v)
	}
	return domain.Date{}
}

func mFloat(m map[string]any, key string) *float64 { return anyFloat(m[key]) }

// anyFloat is a stored number as a float (nil when absent).
func anyFloat(x any) *float64 {
	switch v := x.(type) {
	case float64:
		return &v
	case int64:
		f := float64(v)
		return &f
	}
	return nil
}

func toCompany(m map[string]any) domain.Company {
	roleNames := mStrings(m, "roles", false)
	roles := make([]domain.Role, len(roleNames))
	for i, r := range roleNames {
		roles[i] = domain.Role(r)
	}
	return domain.Company{
		ID:      mString(m, "id"),
		Name:    mString(m, "name"),
		Aliases: mStrings(m, "aliases", false),
		Country: mString(m, "country"),
		Roles:   roles,
		Sectors: mStrings(m, "sectors", true),
		LEI:     mString(m, "lei"),
		Website: mString(m, "website"),
		Note:    mString(m, "note"),
	}
}

func toSector(m map[string]any) domain.Sector {
	return domain.Sector{ID: mString(m, "id"), Name: mString(m, "name"), Parent: mString(m, "parent")}
}

func toMaterial(m map[string]any) domain.Material {
	return domain.Material{ID: mString(m, "id"), Name: mString(m, "name"), Kind: domain.MaterialKind(mString(m, "kind"))}
}

func toControl(m map[string]any) domain.ExportControl {
	return domain.ExportControl{
		ID:             mString(m, "id"),
		Title:          mString(m, "title"),
		Authority:      mString(m, "authority"),
		AnnouncedOn:    mDate(m, "announcedOn"),
		EffectiveFrom:  mDate(m, "effectiveFrom"),
		SuspendedFrom:  mDate(m, "suspendedFrom"),
		SuspendedUntil: mDate(m, "suspendedUntil"),
		LiftedOn:       mDate(m, "liftedOn"),
		Materials:      mStrings(m, "materials", true),
		Sources:        mStrings(m, "sources", true),
		Note:           mString(m, "note"),
	}
}

func toLicence(m map[string]any) domain.Licence {
	return domain.Licence{
		ID:               mString(m, "id"),
		Type:             domain.LicenceType(mString(m, "type")),
		Status:           domain.LicenceStatus(mString(m, "status")),
		Holder:           mString(m, "holder"),
		Clients:          mStrings(m, "clients", true),
		Materials:        mStrings(m, "materials", true),
		ExcludedSectors:  mStrings(m, "excluded", true),
		IssuedOn:         mDate(m, "issuedOn"),
		ValidFrom:        mDate(m, "validFrom"),
		ValidUntil:       mDate(m, "validUntil"),
		RevokedOn:        mDate(m, "revokedOn"),
		RevocationReason: mString(m, "revocationReason"),
		Reference:        mString(m, "reference"),
		Sources:          mStrings(m, "sources", true),
		Controls:         mStrings(m, "controls", true),
		Confidence:       mFloat(m, "confidence"),
		Note:             mString(m, "note"),
	}
}

func toLink(m map[string]any) domain.SupplyLink {
	return domain.SupplyLink{
		Supplier:   mString(m, "supplier"),
		Customer:   mString(m, "customer"),
		Materials:  mStrings(m, "materials", false),
		Since:      mDate(m, "since"),
		Until:      mDate(m, "until"),
		Confidence: mFloat(m, "confidence"),
		Sources:    mStrings(m, "sources", false),
		Note:       mString(m, "note"),
	}
}

func strs(r *neo4j.Record, key string) []string {
	v, _ := r.Get(key)
	return anyStrings(v)
}

func boolean(r *neo4j.Record, key string) bool {
	v, _ := r.Get(key)
	b, _ := v.(bool)
	return b
}
