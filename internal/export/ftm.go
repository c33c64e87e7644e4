package export

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// FollowTheMoney (FtM) entities, one JSON object a line, as OpenSanctions'
// tools read them (`ftm` command, yente, nomenklatura). The mapping is
// docs/ftm.md's:
//   - a company: Company (name, alias, jurisdiction, leiCode, website,
//     sector, classification, notes);
//   - a supply link: UnknownLink, subject the supplier, object the
//     customer, role "supplier", startDate/endDate its period (endDate
//     the last day: our until is exclusive), materials and confidence in
//     summary, the note in description;
//   - a licence: License (a Contract) with the authorities of the export
//     controls it is under as its authority — or Contract when it is
//     under none with an authority (License requires one); its holder a
//     ContractAward (supplier the holder, role "licence holder",
//     startDate/endDate the validity), each client an UnknownLink (role
//     "covered by licence");
//   - each authority of an export control: PublicBody.
// Sectors, materials and controls are carried as text (sector,
// commodities, summary), not as entities: FtM has no schema for them.

// FtMEntity is one FollowTheMoney entity.
type FtMEntity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// FtMSummary counts the entities written, by schema.
type FtMSummary struct {
	Entities map[string]int
	Version  domain.GraphVersion
}

// ftmIDPart is what FtM accepts in an entity id
// (followthemoney.types.entity: letters, digits, '.' and '-', starting
// and ending with a letter or digit).
var ftmIDPart = regexp.MustCompile(`^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$`)

// FtMID is the stable FtM id of the record of kind with key: "lg-" kind
// "-" key when FtM accepts the key as it is, else "lg-" kind "h-" and
// the key's SHA-1 (so the two forms never collide).
func FtMID(kind, key string) string {
	if len(key) <= 100 && ftmIDPart.MatchString(key) {
		return "lg-" + kind + "-" + key
	}
	sum := sha1.Sum([]byte(key))
	return "lg-" + kind + "h-" + hex.EncodeToString(sum[:])
}

// FtM writes the whole graph to w as FtM entities, one JSON line each.
// Like Seed, it fails with ErrGraphChanged when a write was committed
// while it read.
func FtM(ctx context.Context, src Source, w io.Writer) (FtMSummary, error) {
	sum := FtMSummary{Entities: map[string]int{}}
	var err error
	sum.Version, err = atOneVersion(ctx, src, func() error { return writeFtM(ctx, src, w, &sum) })
	return sum, err
}

// writeFtM writes the entities, counting them in sum.
func writeFtM(ctx context.Context, src Source, w io.Writer, sum *FtMSummary) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	emit := func(e FtMEntity) error {
		sum.Entities[e.Schema]++
		return enc.Encode(e)
	}
	// The small kinds, held to name things in the others.
	names := map[domain.Kind]map[string]string{}
	authorities := map[string]string{} // control id → authority
	for _, kind := range []domain.Kind{domain.KindSector, domain.KindMaterial, domain.KindControl} {
		names[kind] = map[string]string{}
		err := eachRecord(ctx, src, kind, func(r any) error {
			switch v := r.(type) {
			case domain.Sector:
				names[kind][v.ID] = cmpOr(v.Name, v.ID)
			case domain.Material:
				names[kind][v.ID] = cmpOr(v.Name, v.ID)
			case domain.ExportControl:
				names[kind][v.ID] = cmpOr(v.Title, v.ID)
				authorities[v.ID] = v.Authority
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, id := range sortedKeys(authorities) {
		a := authorities[id]
		if a == "" || seen[a] {
			continue
		}
		seen[a] = true
		if err := emit(FtMEntity{ID: FtMID("authority", a), Schema: "PublicBody", Properties: map[string][]string{"name": {a}}}); err != nil {
			return err
		}
	}
	m := ftmMapper{names: names, authorities: authorities}
	for _, kind := range []domain.Kind{domain.KindCompany, domain.KindSupply, domain.KindLicence} {
		err := eachRecord(ctx, src, kind, func(r any) error {
			for _, e := range m.entities(r) {
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// eachRecord hands every record of kind to f, page by page.
func eachRecord(ctx context.Context, src Source, kind domain.Kind, f func(any) error) error {
	after := ""
	for {
		page, next, err := src.ExportPage(ctx, kind, after, PageSize)
		if err != nil {
			return fmt.Errorf("export: reading %s: %w", kind, err)
		}
		for _, r := range page {
			if err := f(r); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}

// ftmMapper turns records into entities, naming sectors, materials and
// authorities from the small kinds.
type ftmMapper struct {
	names       map[domain.Kind]map[string]string
	authorities map[string]string
}

func (m ftmMapper) entities(r any) []FtMEntity {
	switch v := r.(type) {
	case domain.Company:
		return []FtMEntity{m.company(v)}
	case domain.SupplyLink:
		return []FtMEntity{m.link(v)}
	case domain.Licence:
		return m.licence(v)
	}
	return nil
}

func (m ftmMapper) company(c domain.Company) FtMEntity {
	p := props{}
	p.add("name", c.Name)
	p.add("alias", c.Aliases...)
	p.add("jurisdiction", strings.ToLower(c.Country))
	if validLEI(c.LEI) {
		p.add("leiCode", c.LEI)
	}
	p.add("website", ftmURL(c.Website))
	p.add("sector", m.named(domain.KindSector, c.Sectors)...)
	for _, r := range c.Roles {
		p.add("classification", string(r))
	}
	p.add("notes", c.Note)
	return FtMEntity{ID: FtMID("company", c.ID), Schema: "Company", Properties: p}
}

func (m ftmMapper) link(l domain.SupplyLink) FtMEntity {
	p := props{}
	p.add("subject", FtMID("company", l.Supplier))
	p.add("object", FtMID("company", l.Customer))
	p.add("role", "supplier")
	p.add("startDate", l.Since.String())
	if !l.Until.IsZero() {
		p.add("endDate", l.Until.AddDays(-1).String()) // until is exclusive
	}
	var summary []string
	if len(l.Materials) > 0 {
		summary = append(summary, "materials: "+strings.Join(m.named(domain.KindMaterial, l.Materials), ", "))
	}
	if l.Confidence != nil {
		summary = append(summary, fmt.Sprintf("confidence %g", *l.Confidence))
	}
	p.add("summary", strings.Join(summary, "; "))
	p.add("description", l.Note) // an UnknownLink has no notes
	m.sources(p, l.Sources)
	return FtMEntity{ID: FtMID("supply", l.Supplier+"->"+l.Customer), Schema: "UnknownLink", Properties: p}
}

func (m ftmMapper) licence(l domain.Licence) []FtMEntity {
	id := FtMID("licence", l.ID)
	p := props{}
	title := cmpOr(l.Reference, l.ID)
	p.add("name", title)
	p.add("title", title)
	p.add("type", string(l.Type))
	p.add("status", string(l.Status))
	p.add("contractDate", l.IssuedOn.String())
	var auth []string
	for _, c := range l.Controls {
		if a := m.authorities[c]; a != "" {
			auth = append(auth, FtMID("authority", a))
		}
	}
	p.add("authority", auth...)
	p.add("procedure", m.named(domain.KindControl, l.Controls)...)
	p.add("commodities", m.named(domain.KindMaterial, l.Materials)...)
	if len(l.ExcludedSectors) > 0 {
		p.add("summary", "excluded sectors: "+strings.Join(m.named(domain.KindSector, l.ExcludedSectors), ", "))
	}
	if l.Confidence != nil {
		p.add("description", fmt.Sprintf("confidence %g", *l.Confidence))
	}
	m.sources(p, l.Sources)
	p.add("notes", l.Note)
	schema := "License"
	if len(p["authority"]) == 0 {
		schema = "Contract" // License requires an authority
	}
	out := []FtMEntity{{ID: id, Schema: schema, Properties: p}}
	if l.Holder != "" {
		a := props{}
		a.add("contract", id)
		a.add("supplier", FtMID("company", l.Holder))
		a.add("role", "licence holder")
		a.add("status", string(l.Status))
		a.add("startDate", l.ValidFrom.String())
		a.add("endDate", l.ValidUntil.String())
		if !l.RevokedOn.IsZero() {
			a.add("summary", "revoked on "+l.RevokedOn.String())
		}
		a.add("decisionReason", l.RevocationReason)
		out = append(out, FtMEntity{ID: FtMID("award", l.ID), Schema: "ContractAward", Properties: a})
	}
	for _, c := range l.Clients {
		k := props{}
		k.add("subject", id)
		k.add("object", FtMID("company", c))
		k.add("role", "covered by licence")
		k.add("startDate", l.ValidFrom.String())
		k.add("endDate", l.ValidUntil.String())
		out = append(out, FtMEntity{ID: FtMID("covers", l.ID+"->"+c), Schema: "UnknownLink", Properties: k})
	}
	return out
}

// sources puts URL sources in sourceUrl and citations (outlet, date,
// title) in publisher.
func (m ftmMapper) sources(p props, refs []string) {
	for _, ref := range refs {
		s := domain.SourceOf(ref)
		if s.URL != "" {
			p.add("sourceUrl", ftmURL(s.URL))
		} else {
			p.add("publisher", s.Ref)
		}
	}
}

func (m ftmMapper) named(kind domain.Kind, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = cmpOr(m.names[kind][id], id)
	}
	return out
}

// props are an entity's properties; empty values are left out.
type props map[string][]string

func (p props) add(name string, vs ...string) {
	for _, v := range vs {
		if v != "" && !slices.Contains(p[name], v) {
			p[name] = append(p[name], v)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// validLEI checks an LEI's ISO 17442 check digits (ISO 7064 mod 97-10):
// FtM's leiCode accepts only those. Our LEI column checks the form only.
func validLEI(s string) bool {
	if len(s) != 20 {
		return false
	}
	rem := 0
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= '0' && r <= '9':
			rem = (rem*10 + int(r-'0')) % 97
		case r >= 'A' && r <= 'Z':
			rem = (rem*100 + int(r-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// ftmURL is an http(s) URL in the form FtM cleans URLs to (rigour's
// clean_url): the scheme lower case, an empty path made "/".
func ftmURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	end := strings.IndexAny(rest, "/?#")
	switch {
	case end < 0:
		rest += "/"
	case rest[end] != '/':
		rest = rest[:end] + "/" + rest[end:]
	}
	return strings.ToLower(scheme) + "://" + rest
}
