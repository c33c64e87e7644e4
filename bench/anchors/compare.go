package anchors

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// The correctness check of the anchors benchmark: the three targets answer
// in different shapes (Relay connections here, plain lists in the Neo4j
// GraphQL Library, driver records for the raw statements), so each answer
// is brought to a common form before it is compared.

// Canon brings a decoded GraphQL answer to a canonical tree: a connection
// ({edges: [{node: x}]}, with or without totalCount and pageInfo) becomes
// the list of its nodes, a supply-link node ({supplier: x}) becomes x, and
// every list is sorted by the JSON of its items, so that two answers with
// the same data in another order or shape compare equal.
func Canon(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if edges, ok := x["edges"].([]any); ok {
			nodes := make([]any, 0, len(edges))
			for _, e := range edges {
				if m, ok := e.(map[string]any); ok {
					nodes = append(nodes, m["node"])
				}
			}
			return Canon(nodes)
		}
		if len(x) == 1 {
			if s, ok := x["supplier"]; ok {
				return Canon(s)
			}
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = Canon(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		keys := make([]string, len(x))
		for i, val := range x {
			out[i] = Canon(val)
			b, _ := json.Marshal(out[i])
			keys[i] = string(b)
		}
		idx := make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
		sorted := make([]any, len(x))
		for i, j := range idx {
			sorted[i] = out[j]
		}
		return sorted
	}
	return v
}

// SameTree reports whether a and b have the same canonical form, and if
// not, the first difference found (a path and the two values).
func SameTree(a, b any) (bool, string) {
	return diff("", Canon(a), Canon(b))
}

func diff(path string, a, b any) (bool, string) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false, fmt.Sprintf("%s: %s vs %s", pathOr(path), short(a), short(b))
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			if ok, d := diff(path+"."+k, x[k], y[k]); !ok {
				return false, d
			}
		}
		return true, ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false, fmt.Sprintf("%s: %s vs %s", pathOr(path), short(a), short(b))
		}
		for i := range x {
			if ok, d := diff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); !ok {
				return false, d
			}
		}
		return true, ""
	}
	if !reflect.DeepEqual(a, b) {
		return false, fmt.Sprintf("%s: %s vs %s", pathOr(path), short(a), short(b))
	}
	return true, ""
}

func pathOr(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

// Scalars lists the scalar values of v (strings, numbers, booleans; not
// null) depth first, in order, each written as text. Numbers are written
// without a fraction when they have none, so 3 (JSON) and int64(3) (a
// driver value) read the same.
func Scalars(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case []string:
			out = append(out, x...)
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		case int64:
			out = append(out, strconv.FormatInt(x, 10))
		case int:
			out = append(out, strconv.Itoa(x))
		case json.Number:
			out = append(out, x.String())
		case nil:
		default:
			out = append(out, fmt.Sprint(x))
		}
	}
	walk(v)
	return out
}

// SameScalars reports whether a and b hold the same scalars, whatever the
// shape and order (a multiset comparison).
func SameScalars(a, b any) bool {
	x, y := Scalars(a), Scalars(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// Strings collects every string value in v (map keys excluded).
func Strings(v any) map[string]bool {
	out := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case []string:
			for _, s := range x {
				out[s] = true
			}
		case string:
			out[x] = true
		}
	}
	walk(v)
	return out
}

// MissingStrings returns the ids and names in answer (string values of
// keys "id" and "name", which can only come from the database; statuses and
// reasons may be derived in Go) that have does not hold, sorted, at most max.
func MissingStrings(answer any, have map[string]bool, max int) []string {
	var missing []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "id" || k == "name") && !have[s] && !slices.Contains(missing, s) {
					missing = append(missing, s)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(answer)
	slices.Sort(missing)
	if len(missing) > max {
		missing = missing[:max]
	}
	return missing
}

// Dig follows keys (map keys, or list indexes written as numbers) into a
// decoded JSON value; nil when a step is missing.
func Dig(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
