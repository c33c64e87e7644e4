package scalar

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"

	"github.com/licencegraph/licencegraph/internal/domain"
)

// MarshalInt writes GraphQL's Int, held in a Go int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads GraphQL's Int, which the specification bounds to 32
// bits: a larger literal or variable is BAD_USER_INPUT naming the
// argument, never silently accepted.
func UnmarshalInt(v any) (int, error) {
	i, err := graphql.UnmarshalInt32(v)
	if err != nil {
		shown := describe(v)
		switch n := v.(type) {
		case int, int64, json.Number:
			shown = fmt.Sprint(n)
		}
		return 0, &domain.Error{Code: domain.CodeBadUserInput, Err: ErrInvalid,
			Message: fmt.Sprintf("an Int is a whole number from %d to %d, not %s", math.MinInt32, math.MaxInt32, shown)}
	}
	return int(i), nil
}
