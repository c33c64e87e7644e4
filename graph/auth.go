package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/licencegraph/licencegraph/graph/model"
	"github.com/licencegraph/licencegraph/internal/auth"
	"github.com/licencegraph/licencegraph/internal/domain"
)

// Access control. internal/auth's HTTP middleware puts the caller (or the
// failure to authenticate) in the context; here:
//   - authenticateOperation refuses every operation of a request whose
//     token is invalid (UNAUTHENTICATED: an invalid token is never treated
//     as anonymous) and, when anonymous reads are off, every query and
//     subscription without a principal holding READER;
//   - the @hasRole directive guards single fields (every mutation needs
//     EDITOR), before their resolver runs, so a refused mutation writes
//     nothing.

// roleOf maps the schema's AccessRole to auth's roles.
func roleOf(r model.AccessRole) auth.Role {
	switch r {
	case model.AccessRoleAdmin:
		return auth.RoleAdmin
	case model.AccessRoleEditor:
		return auth.RoleEditor
	}
	return auth.RoleReader
}

// require checks that the caller holds role.
func require(ctx context.Context, role auth.Role) error {
	p, err := auth.FromContext(ctx)
	switch {
	case err != nil:
		// auth's errors never quote the token: their text is safe to show.
		return &domain.Error{Code: domain.CodeUnauthenticated, Message: err.Error(), Err: err}
	case p == nil:
		return domain.Errorf(domain.CodeUnauthenticated, "this operation needs a bearer token with role %s", role)
	case !p.Has(role):
		return domain.Errorf(domain.CodeForbidden, "this operation needs role %s", role)
	}
	return nil
}

// hasRole implements @hasRole.
func hasRole(ctx context.Context, _ any, next graphql.Resolver, role model.AccessRole) (any, error) {
	if err := require(ctx, roleOf(role)); err != nil {
		return nil, err
	}
	return next(ctx)
}

// authenticateOperation is the operation-level check (see above).
func authenticateOperation(allowAnonymousRead bool, present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		_, authErr := auth.FromContext(ctx)
		var err error
		switch {
		case authErr != nil:
			err = require(ctx, auth.RoleReader)
		case !allowAnonymousRead:
			if oc := graphql.GetOperationContext(ctx); oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
				err = require(ctx, auth.RoleReader)
			}
		}
		if err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{present(ctx, err)}})
		}
		return next(ctx)
	}
}
