package domain

import (
	"context"
	"fmt"
	"strings"
)

// WriteService is the write API (the GraphQL mutations). Every method validates
// its input with the records' Validate and checks references against the
// graph, then writes in one transaction and returns what was written.
// Errors: BAD_USER_INPUT (with Field, and InvalidInput as the cause),
// NOT_FOUND, and the store's UNAVAILABLE, TIMEOUT, CONFLICT, INTERNAL.
type WriteService interface {
	UpsertCompany(ctx context.Context, c Company) (Company, error)
	UpsertSupplyLink(ctx context.Context, l SupplyLink) (SupplyLink, error)
	// RemoveSupplyLink deletes the link and returns it (NOT_FOUND if none).
	RemoveSupplyLink(ctx context.Context, supplier, customer string) (SupplyLink, error)
	GrantLicence(ctx context.Context, l Licence) (Licence, error)
	// RevokeLicence sets status REVOKED, revokedOn = on, and the reason.
	RevokeLicence(ctx context.Context, id string, on Date, reason string) (Licence, error)
	// SetLicenceExclusions replaces the sectors the licence EXCLUDES.
	SetLicenceExclusions(ctx context.Context, id string, sectors []string) (Licence, error)
	// ImportLicences writes all licences or, if any is invalid, none; the
	// error then lists every invalid item.
	ImportLicences(ctx context.Context, ls []Licence) ([]Licence, error)
}

// InvalidField is one problem of a write's input. Index is the item's
// position in a list input, or -1 for a single input.
type InvalidField struct {
	Index   int
	Field   string // the GraphQL argument path, e.g. "input[2].validUntil"
	Message string
}

// InvalidInput is every problem of a write's input; it is the cause of the
// BAD_USER_INPUT *Error a write returns, so the transport can list them.
type InvalidInput []InvalidField

func (in InvalidInput) Error() string {
	parts := make([]string, len(in))
	for i, f := range in {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// AsError is the BAD_USER_INPUT error for in (nil when in is empty): its
// message lists every problem, its Field is the first one's.
func (in InvalidInput) AsError() error {
	if len(in) == 0 {
		return nil
	}
	return &Error{Code: CodeBadUserInput, Message: in.Error(), Field: in[0].Field, Err: in}
}

// Path is the argument path for a record field of an input: the record's
// snake_case field name in lower camel case (the GraphQL input field name),
// after the argument name: Path("input", 2, "valid_until") is
// "input[2].validUntil"; index -1 leaves the index out.
func Path(arg string, index int, field string) string {
	var b strings.Builder
	b.WriteString(arg)
	if index >= 0 {
		fmt.Fprintf(&b, "[%d]", index)
	}
	if field != "" {
		b.WriteString(".")
		b.WriteString(CamelCase(field))
	}
	return b.String()
}

// CamelCase turns a seed-file field name into its GraphQL input name:
// "excluded_sectors" → "excludedSectors".
func CamelCase(field string) string {
	parts := strings.Split(field, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// Invalid converts a record's FieldErrors into InvalidFields of argument
// arg at index (-1: not a list item).
func Invalid(arg string, index int, es FieldErrors) InvalidInput {
	out := make(InvalidInput, 0, len(es))
	for _, e := range es {
		out = append(out, InvalidField{Index: index, Field: Path(arg, index, e.Field), Message: e.InputMessage})
	}
	return out
}

// Dedupe returns ids without repeats, in first-seen order (as the seed
// loader reads lists); nil stays nil.
func Dedupe(ids []string) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// PathRef is a reference an input makes to a record that must exist, with
// the path of the field that makes it and the item's index (-1: not a
// list item).
type PathRef struct {
	Path  string
	Index int
	Ref
}

// UnknownRefs reports the references to ids that exists does not find, on
// their paths ("unknown company \"x\""), asking it once per kind.
func UnknownRefs(ctx context.Context, exists func(ctx context.Context, kind Kind, ids []string) (map[string]bool, error), refs []PathRef) (InvalidInput, error) {
	ids := map[Kind][]string{}
	queued := map[Ref]bool{}
	for _, r := range refs {
		k := Ref{Kind: r.Kind, ID: r.ID}
		if !queued[k] {
			queued[k] = true
			ids[r.Kind] = append(ids[r.Kind], r.ID)
		}
	}
	found := map[Kind]map[string]bool{}
	for _, kind := range Kinds {
		if len(ids[kind]) == 0 {
			continue
		}
		f, err := exists(ctx, kind, ids[kind])
		if err != nil {
			return nil, err
		}
		found[kind] = f
	}
	var out InvalidInput
	for _, r := range refs {
		if !found[r.Kind][r.ID] {
			out = append(out, InvalidField{Index: r.Index, Field: r.Path,
				Message: fmt.Sprintf("unknown %s %q", KindName(r.Kind), r.ID)})
		}
	}
	return out, nil
}

// KindName is the singular noun of a kind, for messages ("unknown company").
func KindName(k Kind) string {
	switch k {
	case KindCompany:
		return "company"
	case KindSupply:
		return "supply link"
	case KindControl:
		return "export control"
	}
	return strings.TrimSuffix(string(k), "s")
}

// CheckLicences validates licences given as argument "input": each with
// Validate, and their ids for repeats. list says whether the argument is a
// list (fields are then "input[i].…"). References are not checked: that
// needs the graph.
func CheckLicences(ls []Licence, list bool) InvalidInput {
	var invalid InvalidInput
	first := map[string]int{}
	for i, l := range ls {
		index := i
		if !list {
			index = -1
		}
		invalid = append(invalid, Invalid("input", index, l.Validate())...)
		if j, dup := first[l.ID]; dup && l.ID != "" {
			invalid = append(invalid, InvalidField{Index: index, Field: Path("input", index, "id"),
				Message: fmt.Sprintf("%q is also the id of input[%d]", l.ID, j)})
		} else {
			first[l.ID] = i
		}
	}
	return invalid
}
