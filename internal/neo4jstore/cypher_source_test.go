package neo4jstore

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Cypher is never built from input: a check over this package's source
// (docs/security.md, "Hostile input"). Every statement text handed to the
// driver (neo4j.ExecuteQuery, a transaction's or session's Run) must be
// made of compile-time constants, package-level variables (built once at
// start-up, e.g. one statement per label), integers (a validated
// maxDepth) and package functions of those. A statement that comes in as
// a parameter is followed to every call site; a parameter of an exported
// function is input from outside and fails the check. Input travels as
// query parameters ($id, $rows) only; labels and relationship types are
// always constants.
func TestCypherIsNeverBuiltFromInput(t *testing.T) {
	fset := token.NewFileSet()
	var files []*ast.File
	paths, _ := filepath.Glob("*.go")
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	c := newCypherCheck(t, fset, files, func(fn *types.Func) (int, bool) {
		if fn.Pkg() == nil || !strings.HasPrefix(fn.Pkg().Path(), "github.com/neo4j/neo4j-go-driver/") {
			return 0, false
		}
		switch fn.Name() {
		case "ExecuteQuery":
			return 2, true
		case "Run":
			return 1, true
		}
		return 0, false
	})
	problems, sinks := c.run()
	for _, p := range problems {
		t.Error(p)
	}
	// The check must have something to check: this package sends dozens
	// of statements.
	if sinks < 3 || c.calls < 30 {
		t.Fatalf("found %d driver calls and %d statement sites: the check is not looking at the right code", sinks, c.calls)
	}
	t.Logf("%d driver calls, %d statement sites checked", sinks, c.calls)
}

// The check itself catches the mistakes it is for.
func TestCypherCheckCatchesInput(t *testing.T) {
	src := `package p
const q = "MATCH (n:Company {id: $id}) RETURN n"
var byLabel = map[string]string{"a": "MATCH (n:A) RETURN n"}
func execute(cypher string, params map[string]any) {}
func run(cypher string) { execute(cypher, nil) }
func depth(d int) string { return "MATCH p = ()-[*1.." + itoa(d) + "]->() RETURN p" }
func itoa(int) string { return "" }
func Good(id string, d int) {
	execute(q, map[string]any{"id": id})
	run(byLabel["a"])
	stmt := q
	if d > 1 { stmt = depth(d) }
	run(stmt)
	for _, m := range tables { for _, st := range m.stmts { run(st) } }
	if v, ok := byLabel["a"]; ok { run(v) }
}
type tbl struct{ stmts []string }
var tables = []tbl{{stmts: []string{"RETURN 1"}}}
func BadRange(in []string) { for _, st := range in { run(st) } }
func BadConcat(label string) { execute("MATCH (n:" + label + ") RETURN n", nil) }
func BadThrough(label string) { run("MATCH (n:" + label + ")") }
func BadLocal(name string) { s := q; s = s + name; execute(s, nil) }
func BadParam(cypher string) { run(cypher) }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := newCypherCheck(t, fset, []*ast.File{f}, func(fn *types.Func) (int, bool) { return 0, fn.Name() == "execute" })
	problems, _ := c.run()
	got := strings.Join(problems, "\n")
	for _, bad := range []string{"BadConcat", "BadThrough", "BadLocal", "BadParam", "BadRange"} {
		if !strings.Contains(got, bad) {
			t.Errorf("not caught: %s\n%s", bad, got)
		}
	}
	if strings.Contains(got, "Good") {
		t.Errorf("false alarm:\n%s", got)
	}
}

type cypherCheck struct {
	t      *testing.T
	fset   *token.FileSet
	pkg    *types.Package
	info   *types.Info
	decls  map[*types.Func]*ast.FuncDecl
	sink   func(*types.Func) (int, bool)
	calls  int
	params map[string]bool // "func#index" already followed
}

func newCypherCheck(t *testing.T, fset *token.FileSet, files []*ast.File, sink func(*types.Func) (int, bool)) *cypherCheck {
	t.Helper()
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(error) {}}
	pkg, err := conf.Check(files[0].Name.Name, fset, files, info)
	if err != nil {
		t.Fatalf("type-checking: %v (GOFLAGS=%s)", err, os.Getenv("GOFLAGS"))
	}
	c := &cypherCheck{t: t, fset: fset, pkg: pkg, info: info, decls: map[*types.Func]*ast.FuncDecl{}, sink: sink, params: map[string]bool{}}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if obj, ok := info.Defs[fd.Name].(*types.Func); ok {
					c.decls[obj] = fd
				}
			}
		}
	}
	return c
}

// site is a statement argument to check, with the function it is in.
type site struct {
	expr ast.Expr
	in   *ast.FuncDecl
	via  string
}

func (c *cypherCheck) callee(call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := call.Fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := c.info.Uses[id].(*types.Func)
	return fn
}

// callsOf lists every call in the package whose callee satisfies match,
// with the argument at the index match gives.
func (c *cypherCheck) callsOf(match func(*types.Func) (int, bool)) []site {
	var out []site
	for _, fd := range c.decls {
		if fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if fn := c.callee(call); fn != nil {
				if i, ok := match(fn); ok && i < len(call.Args) {
					out = append(out, site{expr: call.Args[i], in: fd, via: fn.Name()})
				}
			}
			return true
		})
	}
	return out
}

func (c *cypherCheck) run() (problems []string, sinks int) {
	work := c.callsOf(c.sink)
	sinks = len(work)
	for len(work) > 0 {
		s := work[0]
		work = work[1:]
		c.calls++
		more, err := c.safe(s.expr, s.in, map[types.Object]bool{})
		if err != "" {
			problems = append(problems, fmt.Sprintf("%s: in %s, the statement passed to %s %s", c.fset.Position(s.expr.Pos()), s.in.Name.Name, s.via, err))
		}
		work = append(work, more...)
	}
	sort.Strings(problems)
	return problems, sinks
}

// safe reports why expr, in function fd, may carry input ("" if it
// cannot), and the call sites to check when expr is fd's parameter.
func (c *cypherCheck) safe(expr ast.Expr, fd *ast.FuncDecl, seen map[types.Object]bool) ([]site, string) {
	tv := c.info.Types[expr]
	if tv.Value != nil {
		return nil, ""
	}
	if b, ok := tv.Type.Underlying().(*types.Basic); ok && b.Info()&types.IsString == 0 {
		return nil, "" // an integer or a boolean cannot carry Cypher text
	}
	switch e := expr.(type) {
	case *ast.ParenExpr:
		return c.safe(e.X, fd, seen)
	case *ast.BinaryExpr:
		a, errA := c.safe(e.X, fd, seen)
		b, errB := c.safe(e.Y, fd, seen)
		return append(a, b...), errA + errB
	case *ast.CallExpr:
		fn := c.callee(e)
		if fn == nil || !(fn.Pkg() == c.pkg || (fn.Pkg() != nil && fn.Pkg().Path() == "fmt" && fn.Name() == "Sprintf")) {
			return nil, fmt.Sprintf("is the result of %s, outside this package", types.ExprString(e.Fun))
		}
		var out []site
		var errs string
		for _, a := range e.Args {
			more, err := c.safe(a, fd, seen)
			out, errs = append(out, more...), errs+err
		}
		return out, errs
	case *ast.IndexExpr:
		if id, ok := e.X.(*ast.Ident); ok && c.packageVar(id) {
			return nil, ""
		}
		return nil, fmt.Sprintf("indexes %s, which is not a package-level table", types.ExprString(e.X))
	case *ast.Ident:
		obj := c.info.Uses[e]
		if obj == nil || c.packageVar(e) {
			return nil, ""
		}
		if seen[obj] {
			return nil, ""
		}
		seen[obj] = true
		if i := paramIndex(fd, obj, c.info); i >= 0 {
			fn := c.info.Defs[fd.Name].(*types.Func)
			if fn.Exported() {
				return nil, fmt.Sprintf("is parameter %s of exported %s: input from outside the package", e.Name, fd.Name.Name)
			}
			key := fmt.Sprintf("%s#%d", fn.FullName(), i)
			if c.params[key] {
				return nil, ""
			}
			c.params[key] = true
			return c.callsOf(func(f *types.Func) (int, bool) { return i, f == fn }), ""
		}
		return c.local(obj, fd, seen)
	}
	return nil, fmt.Sprintf("is %s, which the check cannot trace to constants", types.ExprString(expr))
}

func (c *cypherCheck) packageVar(id *ast.Ident) bool {
	obj := c.info.Uses[id]
	v, ok := obj.(*types.Var)
	return ok && v.Parent() == c.pkg.Scope()
}

// local checks every value assigned to a local variable.
func (c *cypherCheck) local(obj types.Object, fd *ast.FuncDecl, seen map[types.Object]bool) ([]site, string) {
	var out []site
	var errs string
	found := false
	check := func(lhs []ast.Expr, rhs []ast.Expr) {
		for i, l := range lhs {
			id, ok := l.(*ast.Ident)
			if !ok || (c.info.Defs[id] != obj && c.info.Uses[id] != obj) {
				continue
			}
			found = true
			r := rhs[0]
			switch {
			case len(rhs) == len(lhs):
				r = rhs[i]
			case i == 0 && len(rhs) == 1:
				if _, ok := r.(*ast.IndexExpr); !ok { // v, ok := table[k]
					errs += fmt.Sprintf("is %s, assigned from a multi-value expression", id.Name)
					continue
				}
			default:
				errs += fmt.Sprintf("is %s, assigned from a multi-value expression", id.Name)
				continue
			}
			more, err := c.safe(r, fd, seen)
			out, errs = append(out, more...), errs+err
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			check(s.Lhs, s.Rhs)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(s.Names))
			for i, n := range s.Names {
				lhs[i] = n
			}
			if len(s.Values) > 0 {
				check(lhs, s.Values)
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{s.Key, s.Value} {
				if id, ok := x.(*ast.Ident); ok && (c.info.Defs[id] == obj || c.info.Uses[id] == obj) {
					found = true
					if !c.table(s.X, fd) {
						errs += fmt.Sprintf("is %s, ranging over %s, which is not a package-level table", id.Name, types.ExprString(s.X))
					}
				}
			}
		}
		return true
	})
	if !found {
		errs += fmt.Sprintf("is %s, whose values the check cannot find", obj.Name())
	}
	return out, errs
}

// table reports whether expr is a package-level variable, or a part of
// one (a field, an element, the variable of a range over one).
func (c *cypherCheck) table(expr ast.Expr, fd *ast.FuncDecl) bool {
	switch e := expr.(type) {
	case *ast.Ident:
		if c.packageVar(e) {
			return true
		}
		obj := c.info.Uses[e]
		if i := paramIndex(fd, obj, c.info); i >= 0 {
			// A table handed in: every caller must hand in a table.
			fn := c.info.Defs[fd.Name].(*types.Func)
			if fn.Exported() {
				return false
			}
			callers := c.callsOf(func(f *types.Func) (int, bool) { return i, f == fn })
			for _, s := range callers {
				if !c.table(s.expr, s.in) {
					return false
				}
			}
			return len(callers) > 0
		}
		ok := false
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if r, isRange := n.(*ast.RangeStmt); isRange {
				if id, isID := r.Value.(*ast.Ident); isID && c.info.Defs[id] == obj && c.table(r.X, fd) {
					ok = true
				}
			}
			return true
		})
		return ok
	case *ast.SelectorExpr:
		return c.table(e.X, fd)
	case *ast.IndexExpr:
		return c.table(e.X, fd)
	}
	return false
}

func paramIndex(fd *ast.FuncDecl, obj types.Object, info *types.Info) int {
	i := 0
	for _, field := range fd.Type.Params.List {
		for _, name := range field.Names {
			if info.Defs[name] == obj {
				return i
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	return -1
}
